"""Conversation list with filters, transcripts, masked exports, reveals and labels."""
import csv
import io
import json
import re
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Mapping

import sqlalchemy as sa
import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from console import db, summaries
from console.auth import login_required
from console.privacy import mask, pseudonym, spreadsheet_safe
from console.transcripts import LANGUAGE_NAMES, Conversation, Turn, conversations
from storage.settings import ROOT

bp = Blueprint("conversations", __name__)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{2,60}$")


@lru_cache(maxsize=1)
def known_intents() -> List[str]:
    """The intents in domain.yml, read once."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return sorted(domain.get("intents") or [])


def pseudonym_of(sender_id: str) -> str:
    """The sender id as staff see it: a stable pseudonym."""
    key = current_app.config.get("PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    return pseudonym(sender_id, str(key))


def sender_of(shown: str) -> str:
    """The stored sender id behind a pseudonym; 404 when there is none."""
    if "senders" not in g:
        rows = db.connection().execute(sa.select(db.events.c.sender_id).distinct())
        g.senders = {pseudonym_of(row.sender_id): row.sender_id for row in rows}
    found = g.senders.get(shown)
    if found is None:
        abort(404)
    return found


def everyone() -> List[Conversation]:
    """Every stored conversation with at least one turn."""
    return [c for c in conversations(db.all_events(db.connection())).values() if c.turns]


def filtered(args: Mapping[str, str]) -> List[Conversation]:
    """The conversations matching the list's filters, newest first (filtered in SQL)."""
    summaries.refresh(db.engine())
    senders = summaries.matching(db.connection(), args, current_app.config["LOW_CONFIDENCE"])
    found = summaries.events_of(db.connection(), senders)
    return [found[sender] for sender in senders if sender in found]


@bp.route("/")
@login_required
def index() -> Any:
    """The conversation list: filtered and paged in SQL, 20 a page."""
    summaries.refresh(db.engine())
    conn, low = db.connection(), current_app.config["LOW_CONFIDENCE"]
    size = current_app.config["PAGE_SIZE"]
    page = max(1, request.args.get("page", 1, type=int))
    found, total = summaries.page(conn, request.args, low, page, size)
    pages = max(1, -(-total // size))
    if page > pages:  # past the end: the last page
        page = pages
        found, total = summaries.page(conn, request.args, low, page, size)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("conversations.html", conversations=found, total=total, page=page,
                           pages=pages, args=args, channels=summaries.channels(conn), mask=mask,
                           languages=LANGUAGE_NAMES, pseudonym=pseudonym_of, low=low)


def _conversation(sender_id: str) -> Conversation:
    rows = db.connection().execute(
        sa.select(db.events).where(db.events.c.sender_id == sender_id).order_by(db.events.c.id))
    found = conversations(rows).get(sender_id)
    if not found:
        abort(404)
    return found


@bp.route("/conversations/<path:shown>")
@login_required
def transcript(shown: str, revealed: bool = False) -> Any:
    """Every turn with its intent, confidence, answer and source."""
    sender_id = sender_of(shown)
    conversation = _conversation(sender_id)
    rows = db.connection().execute(sa.select(db.labels).where(db.labels.c.sender_id == sender_id))
    labelled = {row.event_id: row for row in rows}
    return render_template("transcript.html", conversation=conversation, labelled=labelled,
                           shown=shown,
                           intents=known_intents(), show=(lambda t: t) if revealed else mask,
                           revealed=revealed, low=current_app.config["LOW_CONFIDENCE"])


@bp.route("/conversations/<path:shown>/reveal", methods=["POST"])
@login_required
def reveal(shown: str) -> Any:
    """Show phone numbers and e-mails once, and log who looked."""
    sender_id = sender_of(shown)
    _conversation(sender_id)
    with db.engine().begin() as conn:
        conn.execute(db.reveals.insert().values(sender_id=sender_id, revealed_by=g.user,
                                                revealed_at=db.now()))
    current_app.logger.warning("%s revealed contact details in %s", g.user, shown)
    return transcript(shown, revealed=True)


@bp.route("/conversations/<path:shown>/label", methods=["POST"])
@login_required
def label(shown: str) -> Any:
    """Mark a visitor message with the question it really asked, or a new one."""
    sender_id = sender_of(shown)
    conversation = _conversation(sender_id)
    event_id = request.form.get("event_id", type=int)
    turn = next((t for t in conversation.turns if t.event_id == event_id), None)
    new_name = request.form.get("new_intent", "").strip()
    intent = new_name or request.form.get("intent", "")
    if turn is None or turn.is_media:
        abort(400, "no such message in this conversation")
    if not INTENT_NAME.match(intent) or (not new_name and intent not in known_intents()):
        flash("Choose a question, or name a new one in lower_case_with_underscores.")
        return redirect(url_for(".transcript", shown=shown))
    with db.engine().begin() as conn:
        conn.execute(db.labels.delete().where(db.labels.c.event_id == event_id))
        conn.execute(db.labels.insert().values(
            event_id=event_id, sender_id=sender_id, text=turn.text, intent=intent,
            new_question=intent not in known_intents(), labelled_by=g.user,
            labelled_at=db.now()))
    flash(f"Labelled as {intent}.")
    return redirect(url_for(".transcript", shown=shown))


EXPORT_FIELDS = ["conversation", "time", "channel", "message", "intent", "confidence",
                 "answer", "source", "fallback", "handoff", "rating"]


def _export_rows() -> Iterator[Dict[str, Any]]:
    for conversation in filtered(request.args):
        for turn in conversation.turns:
            yield _row(conversation, turn)


def _row(conversation: Conversation, turn: Turn) -> Dict[str, Any]:
    return {"conversation": pseudonym_of(conversation.sender_id), "time": turn.time.isoformat(),
            "channel": turn.channel, "message": mask(turn.text), "intent": turn.intent,
            "confidence": round(turn.confidence, 3), "answer": mask(turn.answer_text),
            "source": turn.source, "fallback": turn.fallback, "handoff": turn.handoff,
            "rating": turn.rating or ""}


@bp.route("/export.csv")
@login_required
def export_csv() -> Response:
    """The filtered conversations as CSV, one turn a row, contacts masked."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()}
                     for row in _export_rows())
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=conversations.csv"})


@bp.route("/export.jsonl")
@login_required
def export_jsonl() -> Response:
    """The filtered conversations as JSON Lines, one turn a line, contacts masked."""
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in _export_rows())
    return Response(body, mimetype="application/x-ndjson", headers={
        "Content-Disposition": "attachment; filename=conversations.jsonl"})
