"""Staff labels of misunderstood messages, exported as Rasa NLU training data."""
from collections import defaultdict
from typing import Any, Dict, List

import sqlalchemy as sa
import yaml
from flask import Blueprint, Response, render_template

from console import db
from console.auth import login_required
from console.privacy import mask

bp = Blueprint("labels", __name__)
# Rasa reads [text](entity), [text]{...} and [text][...] as entity markup, with
# no escape: these become their full-width look-alikes in a training example.
MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "{": "｛", "}": "｝"})


def training_example(text: str) -> str:
    """One label as one example: one line, contacts masked, no entity markup."""
    return mask(" ".join(text.split())).translate(MARKUP)


def nlu_yaml(rows: List[Any]) -> str:
    """Labels as a Rasa 3 NLU file, ready to merge into data/ (e.g. data/nlu/labels.yml)."""
    by_intent: Dict[str, List[str]] = defaultdict(list)
    for row in rows:
        example = training_example(row.text)
        if example and example not in by_intent[row.intent]:
            by_intent[row.intent].append(example)
    blocks = [{"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
              for intent, texts in sorted(by_intent.items())]

    class Literal(str):
        pass

    dumper = yaml.SafeDumper
    dumper.add_representer(Literal, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:str", v, style="|"))
    for block in blocks:
        block["examples"] = Literal(block["examples"])
    header = ("# Exported from the staff console: messages the bot misunderstood, labelled\n"
              "# with the question they asked. Merge into data/, then `make train`.\n")
    return header + yaml.dump({"version": "3.1", "nlu": blocks}, Dumper=dumper,
                              sort_keys=False, allow_unicode=True)


def all_labels() -> List[Any]:
    """Every label, oldest first."""
    return list(db.connection().execute(sa.select(db.labels).order_by(db.labels.c.id)))


@bp.route("/labels")
@login_required
def index() -> Any:
    """Every label, with the export link."""
    return render_template("labels.html", labels=all_labels(), mask=mask)


@bp.route("/labels/export.yml")
@login_required
def export() -> Response:
    """All labels as Rasa NLU YAML."""
    return Response(nlu_yaml(all_labels()), mimetype="application/x-yaml", headers={
        "Content-Disposition": "attachment; filename=labels.yml"})
