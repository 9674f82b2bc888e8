"""The conversation database: Rasa's ``events`` table, plus the console's own tables.

The URL is the tracker store's: ``TRACKER_DB_URL`` when set, otherwise the
SQLite file named in endpoints.yml. The engine is made once, on first use.
"""
import datetime as dt
import threading
from typing import Any, Callable, Dict, List, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g

from storage.settings import configured_url

metadata = sa.MetaData()

# Rasa's table (storage/tracker_store.py writes it); described here to read it.
events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
staff = sa.Table(
    "console_staff", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
labels = sa.Table(
    "console_labels", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, nullable=False, unique=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(100), nullable=False),
    sa.Column("new_question", sa.Boolean, nullable=False, default=False),
    sa.Column("labelled_by", sa.String(80), nullable=False),
    sa.Column("labelled_at", sa.DateTime, nullable=False),
)
reveals = sa.Table(
    "console_reveals", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("revealed_by", sa.String(80), nullable=False),
    sa.Column("revealed_at", sa.DateTime, nullable=False),
)


_SETUP_LOCK = threading.RLock()  # a resource may be made from another's maker
T = TypeVar("T")


def app_resource(name: str, make: Callable[[], T]) -> T:
    """``app.extensions[name]``, made once by ``make`` even when requests race.

    The first requests of a threaded server arrive together: without the lock,
    two of them would each make the resource, and one would try to create
    tables the other is creating.
    """
    extensions = current_app.extensions
    if name not in extensions:
        with _SETUP_LOCK:
            if name not in extensions:
                extensions[name] = make()
    return extensions[name]


def _new_engine(url: str) -> sa.engine.Engine:
    kwargs: Dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
    made = sa.create_engine(url, **kwargs)
    metadata.create_all(made)
    ensure_indexes(made)
    return made


def engine() -> sa.engine.Engine:
    """The app's engine, made on first use and kept for the app's life."""
    return app_resource("engine", lambda: _new_engine(
        current_app.config["DATABASE_URL"] or configured_url()))


def connection() -> sa.engine.Connection:
    """A connection for this request, closed at its end."""
    if "db" not in g:
        g.db = engine().connect()
    return g.db


def close(_: BaseException | None = None) -> None:
    """Close the request's connection."""
    connection_ = g.pop("db", None)
    if connection_ is not None:
        connection_.close()


def init_app(app: Flask) -> None:
    """Register the clean-up."""
    app.teardown_appcontext(close)


def now() -> dt.datetime:
    """The current UTC time, naive (stored as UTC)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def all_events(conn: sa.engine.Connection) -> List[sa.engine.Row]:
    """Every event, in order (the console works on a spa's volume)."""
    return list(conn.execute(sa.select(events).order_by(events.c.id)))


# The conversation list's own tables (console/summaries.py keeps them up to date).
summaries = sa.Table(
    "console_conversations", metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started", sa.Float, nullable=False, index=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("languages", sa.String(64), nullable=False),
    sa.Column("first_question", sa.Text, nullable=False),
    sa.Column("questions", sa.Integer, nullable=False),
    sa.Column("fell_back", sa.Boolean, nullable=False),
    sa.Column("min_confidence", sa.Float, nullable=False),
    sa.Column("handoff", sa.Boolean, nullable=False),
    sa.Column("thumbs_down", sa.Boolean, nullable=False),
    sa.Column("words", sa.Text, nullable=False),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)
summary_progress = sa.Table(
    "console_conversations_progress", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.Integer, nullable=False),
)
# A conversation's events by time: what the console and the tracker store look up.
events_by_sender_time = sa.Index("ix_events_sender_id_timestamp", events.c.sender_id,
                                 events.c.timestamp)


def ensure_indexes(engine_: sa.engine.Engine) -> None:
    """Create the events index when Rasa's table exists without it."""
    try:
        events_by_sender_time.create(engine_, checkfirst=True)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        pass  # made meanwhile by another process, or no right to: reads still work
