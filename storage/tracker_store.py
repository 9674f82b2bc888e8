"""The conversation store: Rasa's SQL tracker store, made strict about failures.

- PostgreSQL when ``TRACKER_DB_URL`` is set, otherwise the SQLite file named
  in endpoints.yml.
- If the database can't be reached at start, it raises a clear error (so
  ``rasa run`` exits non-zero) instead of Rasa's endless retry loop or its
  silent fall-back to memory.
- A busy or locked database is retried with back-off before a save gives up,
  so no event is dropped while, say, a backup holds the SQLite lock.
- Latency does not grow with a conversation's length: a conversation's
  tracker stays in memory between turns (re-read only when the database holds
  a newer event, say from another server), keeps its newest ``keep_events``
  events for the policies, and a save writes only the events added since the
  last one. The database always keeps every event.
"""
import asyncio
import json
import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Dict

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException

from storage.direct import DirectSQL
from storage.pseudonyms import shown
from storage.settings import database_url

logger = logging.getLogger(__name__)

KEEP_EVENTS = 48
CACHED_CONVERSATIONS = 500
SAVED_MARK = "_panda_last_saved_event"
SQLITE_BUSY_TIMEOUT_SECONDS = 15
SAVE_RETRY_SECONDS = 30


class TrackerStoreUnavailable(ConnectionException):
    """The conversation database could not be reached."""


def safe_url(url: str) -> str:
    """The URL without its password, for log lines."""
    return repr(sa.engine.make_url(url))


def engine_for(url: str, busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> sa.engine.Engine:
    """An engine with a busy timeout and WAL journal for SQLite, Rasa's pool for others."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": busy_timeout, "check_same_thread": False},
            poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=4,
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))


EVENTS_INDEX = "ix_events_sender_id_timestamp"


def ensure_events_index(engine: sa.engine.Engine) -> None:
    """Index ``events (sender_id, timestamp)`` when it is missing (a conversation by time)."""
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                f"CREATE INDEX IF NOT EXISTS {EVENTS_INDEX} ON events (sender_id, timestamp)"))
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        logger.info("events index not created: %s", str(error).splitlines()[0])


def is_busy(error: Exception) -> bool:
    """Whether an error means 'try again shortly' (SQLite locked, PostgreSQL serialization).

    The database's own message is read (``orig``), not SQLAlchemy's, which
    quotes the statement's parameters: a visitor's text saying "busy" is no
    reason to retry.
    """
    text = str(getattr(error, "orig", None) or error).lower()
    return any(word in text for word in ("locked", "busy", "could not serialize"))


@dataclass
class Cached:
    """A conversation's tracker and the id of the newest stored event it reflects."""

    tracker: DialogueStateTracker
    last_row_id: int


def last_saved(tracker: DialogueStateTracker) -> Event | None:
    """The newest event of ``tracker`` known to be in the database."""
    return getattr(tracker, SAVED_MARK, None)


def compact(tracker: DialogueStateTracker, keep: int, slots: Any) -> None:
    """Once a conversation holds more than ``keep`` events in memory, keep the newest half.

    Rasa rebuilds slots and the active form from the events on every turn, so
    what the dropped events had set is restated where they were cut: a SlotSet
    for each slot away from its initial value, and the form still active. The
    database keeps every event; these restatements are never saved.
    """
    events = list(tracker.events)
    if len(events) <= keep:
        return
    cut = len(events) - keep // 2
    head = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], slots)
    restated: list = [SlotSet(name, slot.value) for name, slot in head.slots.items()
                      if slot.value != slot.initial_value]
    if head.active_loop_name:
        restated.append(ActiveLoop(head.active_loop_name))
    tracker.events = deque(restated + events[cut:])


class PandaSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that fails fast, retries busy saves and keeps turns O(1)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        db: str = "conversations.db",
        event_broker: EventBroker | None = None,
        startup_wait_seconds: float = 10,
        sqlite_busy_timeout_seconds: float = SQLITE_BUSY_TIMEOUT_SECONDS,
        keep_events: int = KEEP_EVENTS,
        **kwargs: Dict[str, Any],
    ) -> None:
        self.keep_events = int(keep_events)
        self._cache: OrderedDict[str, Cached] = OrderedDict()
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
        ensure_events_index(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # The per-message statements, built once and run through SQLAlchemy Core
        # (the ORM's unit of work cost more than the inserts; bench/profile.md).
        events = self.SQLEvent.__table__
        self._newest_id = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender"))
        self._insert = events.insert()
        # SQLite runs them on a DBAPI connection of its own (storage/direct.py)
        self._direct = DirectSQL.for_engine(self.engine)
        # Conversations found empty in the database: all their events are new.
        self._unsaved: set = set()
        logger.info("Conversations are stored in %s", safe_url(url))
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def _last_row_id(self, sender_id: str, connection: Any = None) -> int | None:
        if connection is not None:
            return connection.execute(self._newest_id, {"sender": sender_id}).scalar()
        with self._direct.connect() if self._direct else self.engine.connect() as connection:
            return connection.execute(self._newest_id, {"sender": sender_id}).scalar()

    def _remember(self, tracker: DialogueStateTracker, row_id: int) -> None:
        if tracker.events.maxlen is not None:
            tracker.events = deque(tracker.events)
            tracker._max_event_history = None
        compact(tracker, self.keep_events, self.domain.slots if self.domain else [])
        setattr(tracker, SAVED_MARK, tracker.events[-1] if tracker.events else None)
        self._cache[tracker.sender_id] = Cached(tracker, row_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > CACHED_CONVERSATIONS:
            self._cache.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's tracker: from memory when the database has nothing newer."""
        row_id = self._last_row_id(sender_id)
        if row_id is None:
            self._cache.pop(sender_id, None)
            if len(self._unsaved) >= CACHED_CONVERSATIONS:
                self._unsaved.clear()  # looked up and never saved (an API read)
            self._unsaved.add(sender_id)
            return None
        self._unsaved.discard(sender_id)
        cached = self._cache.get(sender_id)
        if (cached and cached.last_row_id == row_id and cached.tracker.events
                and cached.tracker.events[-1] is last_saved(cached.tracker)):
            self._cache.move_to_end(sender_id)
            return cached.tracker
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id,
                                     fetch_events_from_all_sessions=False).all()
            events = [json.loads(row.data) for row in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self._remember(tracker, row_id)
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """Events added since the last save (counted, for trackers never saved here).

        ``session`` is unused: Rasa's signature. A tracker never saved here is
        all new when its conversation was empty, else its stored events are counted.
        """
        mark = last_saved(tracker)
        if mark is None:
            if tracker.sender_id in self._unsaved:
                return iter(list(tracker.events))
            with self.session_scope() as session:
                return iter(list(super()._additional_events(session, tracker)))
        new: list = []
        for event in reversed(tracker.events):
            if event is mark:
                return reversed(new)
            new.append(event)
        raise RuntimeError(f"more than {self.keep_events} events in one turn for "
                           f"{tracker.sender_id}; raise keep_events")

    async def _save_once(self, tracker: DialogueStateTracker) -> None:
        new_events = list(self._additional_events(None, tracker))
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        if not new_events:
            return
        rows = [self._row(tracker.sender_id, event) for event in new_events]
        with self._direct.begin() if self._direct else self.engine.begin() as connection:
            connection.execute(self._insert, rows)
            # one conversation is saved by one server at a time (the lock store)
            last_row_id = self._last_row_id(tracker.sender_id, connection)
        self._unsaved.discard(tracker.sender_id)
        if last_row_id is not None:
            self._remember(tracker, last_row_id)

    @staticmethod
    def _row(sender_id: str, event: Event) -> Dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events, retrying while the database is busy."""
        delay, deadline = 0.05, time.monotonic() + SAVE_RETRY_SECONDS
        while True:
            try:
                return await self._save_once(tracker)
            except sa.exc.OperationalError as error:
                if not is_busy(error) or time.monotonic() >= deadline:
                    raise
                logger.warning("conversation database busy, retrying save of %s",
                               shown(tracker.sender_id))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
