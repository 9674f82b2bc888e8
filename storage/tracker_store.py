"""The conversation store: Rasa's SQL tracker store, made strict about failures.

- PostgreSQL when ``TRACKER_DB_URL`` is set, otherwise the SQLite file named
  in endpoints.yml.
- If the database can't be reached at start, it raises a clear error (so
  ``rasa run`` exits non-zero) instead of Rasa's endless retry loop or its
  silent fall-back to memory.
- A busy or locked database is retried with back-off before a save gives up,
  so no event is dropped while, say, a backup holds the SQLite lock.
"""
import asyncio
import logging
import os
import time
from typing import Any, Dict

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException

logger = logging.getLogger(__name__)

URL_VARIABLE = "TRACKER_DB_URL"
SQLITE_BUSY_TIMEOUT_SECONDS = 15
SAVE_RETRY_SECONDS = 30


class TrackerStoreUnavailable(ConnectionException):
    """The conversation database could not be reached."""


def database_url(db: str, host: str | None = None) -> str:
    """PostgreSQL from the environment if set, else the configured URL or SQLite file."""
    return os.environ.get(URL_VARIABLE) or host or f"sqlite:///{db}"


def safe_url(url: str) -> str:
    """The URL without its password, for log lines."""
    return repr(sa.engine.make_url(url))


def engine_for(url: str, busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> sa.engine.Engine:
    """An engine with a busy timeout and WAL journal for SQLite, Rasa's pool for others."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": busy_timeout, "check_same_thread": False}
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))


def is_busy(error: Exception) -> bool:
    """Whether an error means 'try again shortly' (SQLite locked, PostgreSQL serialization)."""
    text = str(error).lower()
    return any(word in text for word in ("locked", "busy", "could not serialize"))


class PandaSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that fails fast at start and retries busy saves."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        db: str = "conversations.db",
        event_broker: EventBroker | None = None,
        startup_wait_seconds: float = 10,
        sqlite_busy_timeout_seconds: float = SQLITE_BUSY_TIMEOUT_SECONDS,
        **kwargs: Dict[str, Any],
    ) -> None:
        url = database_url(db, host)
        self.engine = engine_for(url, float(sqlite_busy_timeout_seconds))
        deadline = time.monotonic() + float(startup_wait_seconds)
        while True:
            try:
                with self.engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                break
            except sa.exc.OperationalError as error:
                if time.monotonic() >= deadline:
                    message = (f"Cannot reach the conversation database at {safe_url(url)}: "
                               f"{str(error).splitlines()[0]}")
                    logger.error(message)
                    raise TrackerStoreUnavailable(message) from error
                time.sleep(1)
        try:
            self.Base.metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
            # another server process created the tables at the same moment
            logger.info("tables exist already: %s", str(error).splitlines()[0])
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("Conversations are stored in %s", safe_url(url))
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events, retrying while the database is busy."""
        delay, deadline = 0.05, time.monotonic() + SAVE_RETRY_SECONDS
        while True:
            try:
                return await super().save(tracker)
            except sa.exc.OperationalError as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise
                logger.warning("conversation database busy, retrying save of %s",
                               tracker.sender_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
