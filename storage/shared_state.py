"""State every Rasa server must share: seen message ids and rate-limit counters.

- ``REDIS_URL`` set: Redis (``SET NX EX`` for seen ids, ``INCR`` + ``EXPIRE`` for
  counters), shared by every server that points at it.
- otherwise the conversation database (two small tables next to Rasa's
  ``events``), shared by every server on that database;
- with neither (a server without an SQL tracker store), this process's memory.

Counters use fixed windows: at most ``limit`` hits per key per ``window``
seconds.
"""
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Protocol, Tuple, TypeVar

import sqlalchemy as sa

from storage.direct import DirectSQL
from storage.schema import create_together

logger = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "REDIS_URL"
BUSY_ATTEMPTS = 5
NO_UPSERT, STILL_BUSY = object(), object()  # what _upserted returns instead of a result
T = TypeVar("T")
KEY_PREFIX = "panda:"
MAX_KEY_CHARS = 255

metadata = sa.MetaData()
seen_ids = sa.Table(
    "panda_seen_ids", metadata,
    sa.Column("key", sa.String(MAX_KEY_CHARS), primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)
counters = sa.Table(
    "panda_counters", metadata,
    sa.Column("key", sa.String(MAX_KEY_CHARS), primary_key=True),
    sa.Column("window_start", sa.Float, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
)


class SharedState(Protocol):
    """Seen ids and counters shared by every server."""

    def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; False if it was already recorded."""

    def hit(self, key: str, limit: int, window: float) -> Tuple[bool, int]:
        """Count one hit; (allowed, seconds until the window ends)."""

    def seen(self, key: str) -> bool:
        """Whether ``key`` is claimed and unexpired (nothing is recorded)."""


Clock = Callable[[], float]


# Start a new window, or count one more hit in the current one: one atomic
# statement in SQLite (3.35+) and PostgreSQL alike. A hit is allowed when the
# window's count, this hit included, is within the limit.
COUNT_HIT = sa.text("""
INSERT INTO panda_counters (key, window_start, hits) VALUES (:key, :now, 1)
ON CONFLICT (key) DO UPDATE SET
  window_start = CASE WHEN panda_counters.window_start + :window <= :now
                      THEN :now ELSE panda_counters.window_start END,
  hits = CASE WHEN panda_counters.window_start + :window <= :now THEN 1
              ELSE panda_counters.hits + 1 END
RETURNING window_start, hits
""")
# Take a seen-id key unless it is taken and unexpired: a row comes back when taken.
CLAIM = sa.text("""
INSERT INTO panda_seen_ids (key, expires_at) VALUES (:key, :expires)
ON CONFLICT (key) DO UPDATE SET expires_at = :expires
  WHERE panda_seen_ids.expires_at < :now
RETURNING key
""")


def run_together(state: Any, count: Callable[[], T]) -> T:
    """``count()`` with its hits and claims in one transaction where the state has them."""
    runner = getattr(state, "run_together", None)
    return runner(count) if runner is not None else count()


def _database_message(error: Exception) -> str:
    """The database's own message (not SQLAlchemy's, which quotes the parameters)."""
    return str(getattr(error, "orig", None) or error).lower()


def _busy(error: Exception) -> bool:
    text = _database_message(error)
    return "locked" in text or "busy" in text or "could not serialize" in text


def _short(key: str) -> str:
    return key[:MAX_KEY_CHARS]


class MemoryState:
    """One process's memory: right for a single server only."""

    def __init__(self, size: int = 100_000, clock: Clock = time.time) -> None:
        self.size = size
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._counts: Dict[str, Tuple[float, int]] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, ttl: float) -> bool:
        now = self.clock()
        with self._lock:
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + ttl
            self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True

    def seen(self, key: str) -> bool:
        with self._lock:
            expires = self._seen.get(key)
        return expires is not None and expires > self.clock()

    def hit(self, key: str, limit: int, window: float) -> Tuple[bool, int]:
        now = self.clock()
        with self._lock:
            start, hits = self._counts.get(key, (now, 0))
            if start + window <= now:
                start, hits = now, 0
            if len(self._counts) > self.size:
                self._counts = {k: v for k, v in self._counts.items() if v[0] + window > now}
            retry = max(1, int(start + window - now) + 1)
            if hits >= limit:
                self._counts[key] = (start, hits)
                return False, retry
            self._counts[key] = (start, hits + 1)
            return True, retry


class SQLState:
    """Two tables in the conversation database (SQLite or PostgreSQL)."""

    def __init__(self, engine: sa.engine.Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock
        create_together(lambda: metadata.create_all(engine), engine, metadata.tables,
                        "shared-state tables")
        self._last_sweep = 0.0
        self._upsert = True
        self._connection: Any = None
        # SQLite runs a message's checks on a DBAPI connection of its own (storage/direct.py)
        self._direct = DirectSQL.for_engine(engine)

    def _begin(self) -> Any:
        return self._direct.begin() if self._direct else self.engine.begin()

    def run_together(self, count: Callable[[], T]) -> T:
        """Run ``count`` (a message's hits and claims) in one transaction.

        The message's checks then take the database's write lock once, not once
        each: with several workers on one SQLite file, that is what keeps them
        from queueing behind each other (bench/decisions.md). If the database
        is busy, the checks are made again one statement at a time, each
        retried as ``hit`` and ``claim`` do on their own.
        """
        if not self._upsert or self._connection is not None:
            return count()
        try:
            with self._begin() as connection:
                self._connection = connection
                try:
                    return count()
                finally:
                    self._connection = None
        except sa.exc.OperationalError as error:
            if not _busy(error):
                raise
            logger.warning("shared-state tables busy: counting statement by statement")
            return count()

    def _upserted(self, statement: Callable[[], Any]) -> Any:
        """Run an upsert, retried while busy (alone); NO_UPSERT or STILL_BUSY otherwise."""
        for _ in range(BUSY_ATTEMPTS):
            try:
                return statement()
            except sa.exc.OperationalError as error:
                if "syntax" in _database_message(error):
                    self._upsert = False  # SQLite before 3.35: no RETURNING
                    return NO_UPSERT
                if self._connection is not None or not _busy(error):
                    raise
                time.sleep(0.05)
        return STILL_BUSY

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        if self._connection is not None:
            yield self._connection
        else:
            with self._begin() as connection:
                yield connection

    def _hit_upsert(self, key: str, limit: int, window: float, now: float) -> Tuple[bool, int]:
        """One statement: start or count the window; (allowed, seconds until it ends)."""
        with self._transaction() as conn:
            self._sweep(conn, now)
            start, hits = conn.execute(COUNT_HIT, {
                "key": key, "now": now, "window": window}).one()
        if hits == 1:  # a window starts with this hit
            return True, int(window)
        return hits <= limit, max(1, int(start + window - now) + 1)

    def _claim_upsert(self, key: str, ttl: float, now: float) -> bool:
        """One statement: take the key if it is new or expired."""
        with self._transaction() as conn:
            self._sweep(conn, now)
            return conn.execute(CLAIM, {"key": key, "now": now,
                                        "expires": now + ttl}).first() is not None

    def _sweep(self, conn: Any, now: float) -> None:
        if now - self._last_sweep > 60:
            self._last_sweep = now
            conn.execute(seen_ids.delete().where(seen_ids.c.expires_at < now))
            conn.execute(counters.delete().where(counters.c.window_start < now - 86400))

    def claim(self, key: str, ttl: float) -> bool:
        key, now = _short(key), self.clock()
        if self._upsert:
            taken = self._upserted(lambda: self._claim_upsert(key, ttl, now))
            if taken is STILL_BUSY:
                raise RuntimeError("the shared-state table stayed locked")
            if taken is not NO_UPSERT:
                return bool(taken)
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    self._sweep(conn, now)
                    taken = conn.execute(
                        seen_ids.update().where(seen_ids.c.key == key)
                        .where(seen_ids.c.expires_at < now).values(expires_at=now + ttl))
                    if taken.rowcount:
                        return True
                    conn.execute(seen_ids.insert().values(key=key, expires_at=now + ttl))
                    return True
            except sa.exc.IntegrityError:
                return False
            except sa.exc.OperationalError as error:
                if "locked" not in str(error).lower() and "busy" not in str(error).lower():
                    raise
                time.sleep(0.05)
        raise RuntimeError("the shared-state table stayed locked")

    def seen(self, key: str) -> bool:
        key, now = _short(key), self.clock()
        query = sa.select(seen_ids.c.key).where(seen_ids.c.key == key,
                                                seen_ids.c.expires_at >= now)
        with self._transaction() as conn:
            return conn.execute(query).first() is not None

    def hit(self, key: str, limit: int, window: float) -> Tuple[bool, int]:
        key, now = _short(key), self.clock()
        if self._upsert:
            counted = self._upserted(lambda: self._hit_upsert(key, limit, window, now))
            if counted is STILL_BUSY:
                logger.warning("rate-limit counter %s stayed locked: allowed", key)
                return True, int(window)
            if counted is not NO_UPSERT:
                return counted
        for _ in range(5):
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(sa.select(counters).where(counters.c.key == key)
                                       .with_for_update()).first()
                    if row is None:
                        conn.execute(counters.insert().values(key=key, window_start=now, hits=1))
                        return True, int(window)
                    start, hits = row.window_start, row.hits
                    if start + window <= now:
                        conn.execute(counters.update().where(counters.c.key == key)
                                     .values(window_start=now, hits=1))
                        return True, int(window)
                    retry = max(1, int(start + window - now) + 1)
                    if hits >= limit:
                        return False, retry
                    conn.execute(counters.update().where(counters.c.key == key)
                                 .where(counters.c.hits == hits).values(hits=hits + 1))
                    return True, retry
            except sa.exc.IntegrityError:
                continue  # another server inserted the row first: count again
            except sa.exc.OperationalError as error:
                if "locked" not in str(error).lower() and "busy" not in str(error).lower():
                    raise
                time.sleep(0.05)
        return True, int(window)


class RedisState:
    """Redis: atomic and shared by every server that uses it."""

    def __init__(self, url: str) -> None:
        import redis

        self.red = redis.Redis.from_url(url, socket_timeout=5)

    def claim(self, key: str, ttl: float) -> bool:
        return bool(self.red.set(KEY_PREFIX + "seen:" + key, 1, nx=True,
                                 ex=max(1, int(ttl))))

    def seen(self, key: str) -> bool:
        return bool(self.red.exists(KEY_PREFIX + "seen:" + key))

    def hit(self, key: str, limit: int, window: float) -> Tuple[bool, int]:
        slot = int(time.time() // window)
        name = f"{KEY_PREFIX}count:{key}:{slot}"
        with self.red.pipeline() as pipe:
            pipe.incr(name)
            pipe.expire(name, int(window) + 1)
            hits = int(pipe.execute()[0])
        retry = max(1, int((slot + 1) * window - time.time()) + 1)
        return hits <= limit, retry


def engine_of(agent: Any) -> sa.engine.Engine | None:
    """The SQL engine of the agent's tracker store, through Rasa's fail-safe wrapper."""
    store = getattr(agent, "tracker_store", None)
    for _ in range(3):
        engine = getattr(store, "engine", None)
        if isinstance(engine, sa.engine.Engine):
            return engine
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
    return None


def shared_state(agent: Any = None) -> SharedState:
    """Redis when ``REDIS_URL`` is set, else the conversation database, else memory."""
    url = os.environ.get(REDIS_URL_VARIABLE, "").strip()
    if url:
        return RedisState(url)
    engine = engine_of(agent)
    if engine is not None:
        return SQLState(engine)
    logger.warning("no REDIS_URL and no SQL tracker store: replay and rate-limit state "
                   "is kept in this process only")
    return MemoryState()


class LazyState:
    """``shared_state(agent)`` made on first use, when the agent is loaded."""

    def __init__(self) -> None:
        self._state: SharedState | None = None
        self._lock = threading.Lock()

    def get(self, agent: Any) -> SharedState:
        """The state, made once."""
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = shared_state(agent)
        return self._state
