"""Booking requests in the conversation database, with an outbox for the team's e-mail.

The table lives next to Rasa's ``events`` (the SQLite file of endpoints.yml, or
``TRACKER_DB_URL``) and is created when missing. ``sent_at`` is null until the
e-mail went out: ``send_pending`` retries those, oldest first, and never deletes.
"""
import datetime as dt
import logging
from typing import Any, Callable, Dict, List, Mapping

import sqlalchemy as sa

from storage.settings import configured_url

logger = logging.getLogger(__name__)

STATUSES = ("new", "confirmed", "declined", "cancelled")

metadata = sa.MetaData()
requests = sa.Table(
    "booking_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(50), nullable=False, default=""),
    sa.Column("language", sa.String(5), nullable=False, default="en"),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("requested_time", sa.String(40), nullable=False),
    sa.Column("people", sa.Integer, nullable=False),
    sa.Column("location", sa.String(10), nullable=False),
    sa.Column("massage", sa.String(10), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("contact", sa.String(120), nullable=False),
    sa.Column("contact_method", sa.String(10), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, default="new", index=True),
    sa.Column("status_by", sa.String(80)),
    sa.Column("status_at", sa.DateTime),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("send_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
)
status_changes = sa.Table(
    "booking_status_changes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("booking_id", sa.Integer, nullable=False, index=True),
    sa.Column("old_status", sa.String(12), nullable=False),
    sa.Column("new_status", sa.String(12), nullable=False),
    sa.Column("changed_by", sa.String(80), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)


def now() -> dt.datetime:
    """The current UTC time, naive (stored as UTC, like the console's tables)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def make_engine(url: str | None = None) -> sa.engine.Engine:
    """An engine on the conversation database, with the booking tables created if missing."""
    url = url or configured_url()
    kwargs: Dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
    engine = sa.create_engine(url, **kwargs)
    ensure_tables(engine)
    return engine


def ensure_tables(engine: sa.engine.Engine | sa.engine.Connection) -> None:
    """Create the booking tables when they are missing."""
    metadata.create_all(engine)


def add(engine: sa.engine.Engine, values: Mapping[str, Any]) -> int:
    """Store a new request (status ``new``, not yet mailed); its id."""
    row = {**values, "created_at": values.get("created_at") or now(), "status": "new",
           "send_attempts": 0}
    with engine.begin() as conn:
        result = conn.execute(requests.insert().values(**row))
        return int(result.inserted_primary_key[0])


def get(engine: sa.engine.Engine, booking_id: int) -> Dict[str, Any] | None:
    """One request, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(requests).where(requests.c.id == booking_id)).first()
    return dict(row._mapping) if row else None


def pending(engine: sa.engine.Engine) -> List[Dict[str, Any]]:
    """Requests whose e-mail has not gone out yet, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(requests).where(requests.c.sent_at.is_(None))
                            .order_by(requests.c.id))
        return [dict(r._mapping) for r in rows]


def send_pending(engine: sa.engine.Engine, send: Callable[[Dict[str, Any]], None]) -> int:
    """Call ``send`` for each unsent request; mark those that went out. How many did."""
    sent = 0
    for row in pending(engine):
        try:
            send(row)
        except Exception as problem:  # noqa: BLE001 - any failure keeps it in the outbox
            logger.warning("Booking request #%s not mailed yet (attempt %s): %s",
                           row["id"], row["send_attempts"] + 1, problem)
            with engine.begin() as conn:
                conn.execute(requests.update().where(requests.c.id == row["id"]).values(
                    send_attempts=requests.c.send_attempts + 1, last_error=str(problem)[:500]))
            break  # the server is down: the rest waits for the next try
        with engine.begin() as conn:
            conn.execute(requests.update().where(requests.c.id == row["id"]).values(
                sent_at=now(), send_attempts=requests.c.send_attempts + 1, last_error=None))
        sent += 1
    return sent


def set_status(engine: sa.engine.Engine, booking_id: int, status: str, staff: str) -> bool:
    """Change a request's status and record who did it and when; False if no such request."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with engine.begin() as conn:
        row = conn.execute(sa.select(requests.c.status).where(requests.c.id == booking_id)).first()
        if row is None:
            return False
        when = now()
        conn.execute(requests.update().where(requests.c.id == booking_id).values(
            status=status, status_by=staff, status_at=when))
        conn.execute(status_changes.insert().values(
            booking_id=booking_id, old_status=row.status, new_status=status,
            changed_by=staff, changed_at=when))
    return True


def history(engine: sa.engine.Engine, booking_id: int) -> List[Dict[str, Any]]:
    """A request's status changes, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(status_changes).where(
            status_changes.c.booking_id == booking_id).order_by(status_changes.c.id))
        return [dict(r._mapping) for r in rows]


def search(engine: sa.engine.Engine, status: str = "", day: dt.date | None = None,
           location: str = "") -> List[Dict[str, Any]]:
    """Requests matching the filters: new ones first, then newest first.

    ``day`` is the requested day (Da Nang time), ``location`` 229, 225 or either.
    """
    query = sa.select(requests)
    if status:
        query = query.where(requests.c.status == status)
    if location:
        query = query.where(requests.c.location == location)
    if day:
        query = query.where(requests.c.requested_time.like(f"{day.isoformat()}%"))
    query = query.order_by(sa.case((requests.c.status == "new", 0), else_=1),
                           requests.c.created_at.desc(), requests.c.id.desc())
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def delete_for(conn: sa.engine.Connection, sender_ids: List[str]) -> int:
    """Delete the requests of these conversations (retention follows the conversation)."""
    ids = [r.id for r in conn.execute(sa.select(requests.c.id).where(
        requests.c.sender_id.in_(sender_ids)))]
    if ids:
        conn.execute(status_changes.delete().where(status_changes.c.booking_id.in_(ids)))
        conn.execute(requests.delete().where(requests.c.id.in_(ids)))
    return len(ids)
