"""Staff labels of misunderstood messages, exported as Rasa NLU training data."""
from collections import defaultdict
from typing import Any, Dict, List, Tuple

import sqlalchemy as sa
import yaml
from flask import Blueprint, Response, render_template

from console import db
from console.auth import login_required
from console.privacy import mask
from console.transcripts import DEFAULT_LANGUAGE, LANGUAGE_NAMES, conversations

bp = Blueprint("labels", __name__)
# Rasa reads [text](entity), [text]{...} and [text][...] as entity markup, with
# no escape: these become their full-width look-alikes in a training example.
MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "{": "｛", "}": "｝"})


def training_example(text: str) -> str:
    """One label as one example: one line, contacts masked, no entity markup."""
    return mask(" ".join(text.split())).translate(MARKUP)


def nlu_yaml(rows: List[Any], languages: Dict[int, str] | None = None) -> str:
    """Labels as a Rasa 3 NLU file, ready to merge into data/ (e.g. data/nlu/labels.yml).

    One block per question and language, the language kept in the block's
    ``metadata`` (Rasa reads it and trains on every block of an intent alike).
    """
    languages = languages or {}
    by_intent: Dict[Tuple[str, str], List[str]] = defaultdict(list)
    for row in rows:
        key = (row.intent, languages.get(getattr(row, "event_id", -1), DEFAULT_LANGUAGE))
        example = training_example(row.text)
        if example and example not in by_intent[key]:
            by_intent[key].append(example)
    order = {code: i for i, (code, _) in enumerate(LANGUAGE_NAMES)}
    blocks = [{"intent": intent, "metadata": {"language": language},
               "examples": "".join(f"- {text}\n" for text in texts)}
              for (intent, language), texts in sorted(
                  by_intent.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9)))]

    class Literal(str):
        pass

    dumper = yaml.SafeDumper
    dumper.add_representer(Literal, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:str", v, style="|"))
    for block in blocks:
        block["examples"] = Literal(block["examples"])
    header = ("# Exported from the staff console: messages the bot misunderstood, labelled\n"
              "# with the question they asked, one block per question and language\n"
              "# (metadata.language: en, vi or ko). Merge into data/, then `make train`.\n")
    return header + yaml.dump({"version": "3.1", "nlu": blocks}, Dumper=dumper,
                              sort_keys=False, allow_unicode=True)


def label_languages(rows: List[Any]) -> Dict[int, str]:
    """The language each labelled message was written in (its turn's ``language`` slot)."""
    senders = sorted({row.sender_id for row in rows})
    if not senders:
        return {}
    events = db.connection().execute(sa.select(db.events).where(
        db.events.c.sender_id.in_(senders)).order_by(db.events.c.id))
    return {turn.event_id: turn.language
            for conversation in conversations(events).values() for turn in conversation.turns}


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
    rows = all_labels()
    return Response(nlu_yaml(rows, label_languages(rows)), mimetype="application/x-yaml", headers={
        "Content-Disposition": "attachment; filename=labels.yml"})
