"""One row per conversation, kept up to date from the events: the list filters in SQL.

``console_conversations`` holds what the list shows and filters on (start,
channel, languages, fallback, lowest confidence, handoff, 👎, the visitor's
words). Before a list or an export is read, ``refresh`` folds in the events
stored since the last refresh: only the conversations they belong to are read
again, with the same rules as the transcripts (console/transcripts.py). A
short window of already-seen event ids is read again each time, so an event
committed late by another writer is not missed.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Tuple

import sqlalchemy as sa

from console import db
from console.transcripts import Conversation, conversations

SENDERS_PER_BATCH = 500
# Event ids below the last refresh that are read again (late commits on PostgreSQL).
RESCAN_EVENTS = 500
PROGRESS_ROW = 1


def _languages(codes: Iterable[str]) -> str:
    return "," + ",".join(codes) + ","


def summary_row(conversation: Conversation, last_event_id: int) -> Dict[str, Any]:
    """The list's row for ``conversation`` (one with at least one turn)."""
    questions = conversation.questions
    started = conversation.started or dt.datetime(1970, 1, 1)
    return {
        "sender_id": conversation.sender_id,
        "started": started.replace(tzinfo=dt.timezone.utc).timestamp(),
        "channel": conversation.channel or "",
        "languages": _languages(conversation.languages),
        "first_question": conversation.first_question,
        "questions": len(questions),
        "fell_back": any(t.fallback for t in questions),
        "min_confidence": min((t.confidence for t in questions), default=1.0),
        "handoff": conversation.has_handoff,
        "thumbs_down": conversation.thumbs_down,
        "words": "\n".join(t.text for t in conversation.turns).lower(),
        "last_event_id": last_event_id,
    }


def _chunks(items: List[str], size: int) -> Iterator[List[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def events_of(conn: sa.engine.Connection, senders: List[str]) -> Dict[str, Conversation]:
    """The conversations of ``senders``, read in batches."""
    found: Dict[str, Conversation] = {}
    for chunk in _chunks(senders, SENDERS_PER_BATCH):
        rows = conn.execute(sa.select(db.events).where(db.events.c.sender_id.in_(chunk))
                            .order_by(db.events.c.id))
        found.update(conversations(rows))
    return found


def refresh(engine: sa.engine.Engine) -> int:
    """Fold the events stored since the last refresh into the summaries; conversations redone."""
    with engine.connect() as conn:
        done = conn.execute(sa.select(db.summary_progress.c.event_id).where(
            db.summary_progress.c.id == PROGRESS_ROW)).scalar()
        newest = conn.execute(sa.select(sa.func.max(db.events.c.id))).scalar() or 0
    if done is not None and newest == done:
        return 0
    rebuild = done is None or newest < done  # first use, or the events were replaced
    since = 0 if rebuild else max(0, done - RESCAN_EVENTS)
    if rebuild:
        with engine.begin() as conn:
            conn.execute(db.summaries.delete())
    with engine.connect() as conn:
        senders = [row[0] for row in conn.execute(
            sa.select(db.events.c.sender_id).where(db.events.c.id > since)
            .where(db.events.c.id <= newest).distinct())]
    for chunk in _chunks(senders, SENDERS_PER_BATCH):
        try:
            with engine.begin() as conn:
                found = events_of(conn, chunk)
                conn.execute(db.summaries.delete().where(db.summaries.c.sender_id.in_(chunk)))
                rows = [summary_row(c, newest) for c in found.values() if c.turns]
                if rows:
                    conn.execute(db.summaries.insert(), rows)
        except sa.exc.IntegrityError:
            continue  # another request stored these conversations at the same moment
    try:
        with engine.begin() as conn:
            updated = conn.execute(db.summary_progress.update().where(
                db.summary_progress.c.id == PROGRESS_ROW).values(event_id=newest))
            if not updated.rowcount:
                conn.execute(db.summary_progress.insert().values(id=PROGRESS_ROW, event_id=newest))
    except sa.exc.IntegrityError:
        pass  # another request recorded its progress first
    return len(senders)


def _day_start(value: str) -> float | None:
    try:
        day = dt.datetime.strptime(value, "%Y-%m-%d") if value else None
    except ValueError:
        return None
    return day.replace(tzinfo=dt.timezone.utc).timestamp() if day else None


def conditions(args: Mapping[str, str], low: float) -> List[Any]:
    """The list's filters as SQL conditions on the summaries."""
    table, where = db.summaries, []
    start, end = _day_start(args.get("from", "")), _day_start(args.get("to", ""))
    if start is not None:
        where.append(table.c.started >= start)
    if end is not None:
        where.append(table.c.started < end + 86400)
    if args.get("channel"):
        where.append(table.c.channel == args["channel"])
    if args.get("language"):
        where.append(table.c.languages.contains(f",{args['language']},", autoescape=True))
    if args.get("fallback"):
        where.append(sa.or_(table.c.fell_back, table.c.min_confidence < low))
    if args.get("handoff"):
        where.append(table.c.handoff)
    if args.get("thumbs_down"):
        where.append(table.c.thumbs_down)
    query = args.get("q", "").strip().lower()
    if query:
        where.append(table.c.words.contains(query, autoescape=True))
    return where


@dataclass
class Listed:
    """A conversation as the list shows it."""

    sender_id: str
    started: dt.datetime
    channel: str
    languages: List[str]
    first_question: str
    question_count: int
    fell_back: bool
    min_confidence: float
    has_handoff: bool
    thumbs_down: bool

    @classmethod
    def from_row(cls, row: Any) -> "Listed":
        """A summary row, ready for the template."""
        started = dt.datetime.fromtimestamp(row.started, dt.timezone.utc).replace(tzinfo=None)
        return cls(row.sender_id, started, row.channel,
                   [code for code in row.languages.split(",") if code], row.first_question,
                   row.questions, bool(row.fell_back), row.min_confidence, bool(row.handoff),
                   bool(row.thumbs_down))

    def has_fallback(self, low_confidence: float) -> bool:
        """Whether the bot fell back or answered with low confidence."""
        return self.fell_back or self.min_confidence < low_confidence


def page(conn: sa.engine.Connection, args: Mapping[str, str], low: float, number: int,
         size: int) -> Tuple[List[Listed], int]:
    """One page of the filtered list, newest first, and how many match in all."""
    where = conditions(args, low)
    total = conn.execute(sa.select(sa.func.count()).select_from(db.summaries)
                         .where(*where)).scalar() or 0
    rows = conn.execute(sa.select(db.summaries).where(*where)
                        .order_by(db.summaries.c.started.desc(), db.summaries.c.sender_id)
                        .limit(size).offset((number - 1) * size))
    return [Listed.from_row(row) for row in rows], int(total)


def matching(conn: sa.engine.Connection, args: Mapping[str, str], low: float) -> List[str]:
    """Every conversation the filters match, newest first (for exports)."""
    rows = conn.execute(sa.select(db.summaries.c.sender_id).where(*conditions(args, low))
                        .order_by(db.summaries.c.started.desc(), db.summaries.c.sender_id))
    return [row[0] for row in rows]


def channels(conn: sa.engine.Connection) -> List[str]:
    """The channels conversations came from."""
    rows = conn.execute(sa.select(db.summaries.c.channel).where(db.summaries.c.channel != "")
                        .distinct())
    return sorted(row[0] for row in rows)
