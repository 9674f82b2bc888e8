"""Booking requests in the conversation database, with an outbox for the team's e-mail.

The table lives next to Rasa's ``events`` (the SQLite file of endpoints.yml, or
``TRACKER_DB_URL``) and is created when missing. ``sent_at`` is null until the
e-mail went out: ``send_pending`` retries those, oldest first, and never deletes.

``store`` is how a visitor's request comes in (``add`` stores without checks,
for tools and tests). It checks the values again (``storage.booking_checks``),
collapses a request identical to an open one of the same conversation or
address, and caps requests, counted in the shared database so every worker
and server counts together:

- ``BOOKINGS_PER_CONVERSATION`` open (``new``) requests per conversation (3);
- ``BOOKINGS_PER_ADDRESS_PER_DAY`` requests per client address in 24 hours (10);
- ``BOOKINGS_GLOBAL_PER_HOUR`` requests an hour from everyone (30): past it a
  request is stored but *held* (not mailed), and the team gets one alert an hour.

Each e-mail is claimed before it is sent (``UPDATE … WHERE sent_at IS NULL AND
claim_token IS NULL``, the same statement on SQLite and PostgreSQL), so
concurrent senders mail each request once; a failing one is skipped, its tries
counted, and the rest go on.
"""
import datetime as dt
import enum
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping

import sqlalchemy as sa

from storage.booking_checks import checked
from storage.pseudonyms import shown
from storage.schema import create_together
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
    sa.Column("client_key", sa.String(64), index=True),
    sa.Column("fingerprint", sa.String(64), index=True),
    sa.Column("held", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("claim_token", sa.String(32)),
    sa.Column("claimed_at", sa.DateTime),
)
# One row: every store takes its write lock first, so the caps are counted
# one request at a time across workers; it also carries the team's alert.
guard = sa.Table(
    "booking_guard", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("stores", sa.Integer, nullable=False),
    sa.Column("alert_due", sa.Boolean, nullable=False),
    sa.Column("alerted_at", sa.DateTime),
)
# Columns added after the table first shipped: added to an existing table.
ADDED_COLUMNS = ("client_key", "fingerprint", "held", "claim_token", "claimed_at")
DEFAULT_PER_CONVERSATION = 3
DEFAULT_PER_ADDRESS_PER_DAY = 10
DEFAULT_GLOBAL_PER_HOUR = 30
CLAIM_EXPIRY = dt.timedelta(minutes=10)  # a sender that died lets go of its claim
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
    """Create the booking tables when they are missing, and add newer columns."""
    if isinstance(engine, sa.engine.Connection):
        _ensure_tables(engine)
    else:
        create_together(lambda: _ensure_tables(engine), engine, metadata.tables,
                        "booking tables")


def _ensure_tables(engine: sa.engine.Engine | sa.engine.Connection) -> None:
    metadata.create_all(engine)
    present = {c["name"] for c in sa.inspect(engine).get_columns("booking_requests")}
    missing = [requests.c[name] for name in ADDED_COLUMNS if name not in present]
    with _connected(engine) as conn:
        for column in missing:
            kind = column.type.compile(dialect=conn.dialect)
            default = " NOT NULL DEFAULT FALSE" if column.name == "held" else ""
            conn.execute(sa.text(f"ALTER TABLE booking_requests ADD COLUMN "
                                 f"{column.name} {kind}{default}"))
        if conn.execute(sa.select(guard.c.id)).first() is None:
            conn.execute(guard.insert().values(id=1, stores=0, alert_due=False))


class _connected:
    """A transaction on an engine, or the caller's connection as it is."""

    def __init__(self, target: sa.engine.Engine | sa.engine.Connection) -> None:
        self.target = target
        self._begun: Any = None

    def __enter__(self) -> sa.engine.Connection:
        if isinstance(self.target, sa.engine.Connection):
            return self.target
        self._begun = self.target.begin()
        return self._begun.__enter__()

    def __exit__(self, *problem: Any) -> None:
        if self._begun is not None:
            self._begun.__exit__(*problem)


def _positive_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class Caps:
    """How many booking requests are taken (README, "Security and robustness")."""

    per_conversation: int = DEFAULT_PER_CONVERSATION
    per_address_per_day: int = DEFAULT_PER_ADDRESS_PER_DAY
    global_per_hour: int = DEFAULT_GLOBAL_PER_HOUR

    @classmethod
    def from_env(cls) -> "Caps":
        """``BOOKINGS_PER_CONVERSATION``, ``…_PER_ADDRESS_PER_DAY``, ``…_GLOBAL_PER_HOUR``."""
        return cls(_positive_env("BOOKINGS_PER_CONVERSATION", DEFAULT_PER_CONVERSATION),
                   _positive_env("BOOKINGS_PER_ADDRESS_PER_DAY", DEFAULT_PER_ADDRESS_PER_DAY),
                   _positive_env("BOOKINGS_GLOBAL_PER_HOUR", DEFAULT_GLOBAL_PER_HOUR))


class Outcome(enum.Enum):
    """What became of a visitor's request."""

    STORED = "stored"  # stored, and the team will get it by e-mail
    HELD = "held"  # stored, not mailed: over the global cap (the team was alerted)
    DUPLICATE = "duplicate"  # the same as an open request: that one stands
    REFUSED = "refused"  # over the conversation's or the address's cap: not stored


@dataclass(frozen=True)
class Stored:
    """``store``'s answer: the outcome, the request's id (the open one for a duplicate)."""

    outcome: Outcome
    booking_id: int | None = None
    reason: str = ""  # why refused: "conversation" or "address"

    @property
    def kept(self) -> bool:
        """Whether the team has this request (stored, held, or an identical open one)."""
        return self.outcome is not Outcome.REFUSED


FINGERPRINTED = ("requested_time", "people", "location", "massage", "name", "contact")


def fingerprint(values: Mapping[str, Any]) -> str:
    """What makes two requests the same, whoever sent them."""
    same = {k: str(values.get(k) or "").strip().casefold() for k in FINGERPRINTED}
    return hashlib.sha256(json.dumps(same, sort_keys=True).encode()).hexdigest()


def store(engine: sa.engine.Engine, values: Mapping[str, Any], caps: Caps | None = None,
          when: dt.datetime | None = None) -> Stored:
    """Check, collapse, cap and store a visitor's request.

    ``values`` are ``add``'s, with ``client_key`` (``storage.pseudonyms.client_key``
    of the client's address, None for provider webhooks). Raises
    ``storage.booking_checks.InvalidBooking`` for a value the form never gives.
    """
    caps = caps or Caps.from_env()
    at = when or now()
    row = checked(values)
    row["fingerprint"] = fingerprint(row)
    key, sender = row.get("client_key"), row["sender_id"]
    day_ago, hour_ago = at - dt.timedelta(days=1), at - dt.timedelta(hours=1)
    count = sa.select(sa.func.count()).select_from(requests)
    with engine.begin() as conn:
        # first statement: the write lock that counts requests one at a time
        conn.execute(guard.update().where(guard.c.id == 1).values(stores=guard.c.stores + 1))
        same = requests.c.sender_id == sender
        if key:
            same = sa.or_(same, requests.c.client_key == key)
        duplicate = conn.execute(sa.select(requests.c.id).where(
            requests.c.fingerprint == row["fingerprint"], requests.c.status == "new",
            requests.c.created_at >= day_ago, same).order_by(requests.c.id)).scalar()
        if duplicate is not None:
            return Stored(Outcome.DUPLICATE, int(duplicate))
        if conn.execute(count.where(requests.c.sender_id == sender,
                                    requests.c.status == "new")).scalar_one() \
                >= caps.per_conversation:
            return Stored(Outcome.REFUSED, reason="conversation")
        if key and conn.execute(count.where(requests.c.client_key == key,
                                            requests.c.created_at >= day_ago)).scalar_one() \
                >= caps.per_address_per_day:
            return Stored(Outcome.REFUSED, reason="address")
        held = conn.execute(count.where(requests.c.created_at >= hour_ago)).scalar_one() \
            >= caps.global_per_hour
        booking_id = int(conn.execute(requests.insert().values(
            **row, created_at=at, status="new", send_attempts=0,
            held=held)).inserted_primary_key[0])
        if held:
            conn.execute(guard.update().where(guard.c.id == 1).where(sa.or_(
                guard.c.alerted_at.is_(None), guard.c.alerted_at < hour_ago)).values(
                alert_due=True, alerted_at=at))
    outcome = Outcome.HELD if held else Outcome.STORED
    logger.info("Booking request #%s %s for %s", booking_id, outcome.value, shown(sender))
    return Stored(outcome, booking_id)


def add(engine: sa.engine.Engine, values: Mapping[str, Any]) -> int:
    """Store a new request (status ``new``, not yet mailed); its id."""
    row = {**values, "created_at": values.get("created_at") or now(), "status": "new",
           "send_attempts": 0, "held": bool(values.get("held"))}
    with engine.begin() as conn:
        result = conn.execute(requests.insert().values(**row))
        return int(result.inserted_primary_key[0])


def get(engine: sa.engine.Engine, booking_id: int) -> Dict[str, Any] | None:
    """One request, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(requests).where(requests.c.id == booking_id)).first()
    return dict(row._mapping) if row else None


def pending(engine: sa.engine.Engine) -> List[Dict[str, Any]]:
    """Requests whose e-mail has not gone out yet (held ones aside), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(requests).where(
            requests.c.sent_at.is_(None), sa.not_(requests.c.held)).order_by(requests.c.id))
        return [dict(r._mapping) for r in rows]


def claim(engine: sa.engine.Engine, booking_id: int, when: dt.datetime | None = None) -> str | None:
    """Take a waiting request for sending: the claim's token, or None if another has it."""
    at, token = when or now(), secrets.token_hex(16)
    with engine.begin() as conn:
        taken = conn.execute(requests.update().where(
            requests.c.id == booking_id, requests.c.sent_at.is_(None),
            sa.or_(requests.c.claim_token.is_(None),
                   requests.c.claimed_at < at - CLAIM_EXPIRY)).values(
            claim_token=token, claimed_at=at))
    return token if taken.rowcount == 1 else None


def _finish(engine: sa.engine.Engine, booking_id: int, token: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(requests.update().where(
            requests.c.id == booking_id, requests.c.claim_token == token).values(
            claim_token=None, claimed_at=None, send_attempts=requests.c.send_attempts + 1,
            **values))


def send_pending(engine: sa.engine.Engine, send: Callable[[Dict[str, Any]], None],
                 alert: Callable[[int], None] | None = None) -> int:
    """Claim and send each unsent request; a failing one is skipped. How many went out.

    ``alert`` (given how many requests came in the last hour) is called once
    when the global cap held requests back since the last alert.
    """
    if alert is not None:
        send_alert(engine, alert)
    sent = 0
    for row in pending(engine):
        token = claim(engine, row["id"])
        if token is None:
            continue  # another sender has it
        try:
            send(row)
        except Exception as problem:  # noqa: BLE001 - any failure keeps it in the outbox
            logger.warning("Booking request #%s not mailed yet (attempt %s): %s",
                           row["id"], row["send_attempts"] + 1, problem)
            _finish(engine, row["id"], token, last_error=str(problem)[:500])
            continue
        _finish(engine, row["id"], token, sent_at=now(), last_error=None)
        sent += 1
    return sent


def send_alert(engine: sa.engine.Engine, alert: Callable[[int], None]) -> bool:
    """Tell the team once that the global cap holds requests back; whether it was sent."""
    with engine.begin() as conn:
        due = conn.execute(guard.update().where(guard.c.id == 1, guard.c.alert_due).values(
            alert_due=False)).rowcount == 1
        if not due:
            return False
        hour_ago = now() - dt.timedelta(hours=1)
        recent = conn.execute(sa.select(sa.func.count()).select_from(requests).where(
            requests.c.created_at >= hour_ago)).scalar_one()
    try:
        alert(int(recent))
    except Exception as problem:  # noqa: BLE001 - tried again with the next request
        logger.warning("Booking alert not mailed yet: %s", problem)
        with engine.begin() as conn:
            conn.execute(guard.update().where(guard.c.id == 1).values(alert_due=True))
        return False
    logger.warning("Booking requests held back: %s in the last hour; the team was alerted",
                   recent)
    return True


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


def _filtered(query: Any, status: str = "", day: dt.date | None = None,
              location: str = "") -> Any:
    if status:
        query = query.where(requests.c.status == status)
    if location:
        query = query.where(requests.c.location == location)
    if day:
        query = query.where(requests.c.requested_time.like(f"{day.isoformat()}%"))
    return query


def search(engine: sa.engine.Engine, status: str = "", day: dt.date | None = None,
           location: str = "", limit: int | None = None,
           offset: int = 0) -> List[Dict[str, Any]]:
    """Requests matching the filters: new ones first, then newest first.

    ``day`` is the requested day (Da Nang time), ``location`` 229, 225 or
    either; ``limit`` and ``offset`` page the list.
    """
    query = _filtered(sa.select(requests), status, day, location)
    query = query.order_by(sa.case((requests.c.status == "new", 0), else_=1),
                           requests.c.created_at.desc(), requests.c.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def count(engine: sa.engine.Engine, status: str = "", day: dt.date | None = None,
          location: str = "") -> int:
    """How many requests match the filters."""
    query = _filtered(sa.select(sa.func.count()).select_from(requests), status, day, location)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def histories(engine: sa.engine.Engine, booking_ids: List[int]) -> Dict[int, List[Dict[str, Any]]]:
    """The status changes of several requests, in one query: id -> changes, oldest first."""
    found: Dict[int, List[Dict[str, Any]]] = {i: [] for i in booking_ids}
    if not booking_ids:
        return found
    with engine.connect() as conn:
        rows = conn.execute(sa.select(status_changes).where(
            status_changes.c.booking_id.in_(booking_ids)).order_by(status_changes.c.id))
        for row in rows:
            found[row.booking_id].append(dict(row._mapping))
    return found


def delete_for(conn: sa.engine.Connection, sender_ids: List[str]) -> int:
    """Delete the requests of these conversations (retention follows the conversation)."""
    ids = [r.id for r in conn.execute(sa.select(requests.c.id).where(
        requests.c.sender_id.in_(sender_ids)))]
    if ids:
        conn.execute(status_changes.delete().where(status_changes.c.booking_id.in_(ids)))
        conn.execute(requests.delete().where(requests.c.id.in_(ids)))
    return len(ids)
