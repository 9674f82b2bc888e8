"""storage/shared_state.py: the replay guard's seen ids and the rate-limit counters.

The same behaviour from the in-memory state and from the SQL state on a
temporary SQLite file, with a clock the test moves.
"""
import sqlite3
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import sqlalchemy as sa

from storage.shared_state import (
    MAX_KEY_CHARS,
    MemoryState,
    SharedState,
    SQLState,
    engine_of,
    run_together,
    shared_state,
)
from storage.tracker_store import engine_for


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sqlite"])
def state(request: pytest.FixtureRequest, clock: Clock, tmp_path: Path) -> Iterator[SharedState]:
    if request.param == "memory":
        yield MemoryState(clock=clock)
        return
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'state.db'}")
    yield SQLState(engine, clock=clock)
    engine.dispose()


def test_an_id_is_fresh_once(state: SharedState) -> None:
    assert [state.claim("replay:messenger:m1", 60) for _ in range(3)] == [True, False, False]
    assert state.claim("replay:messenger:m2", 60)


def test_an_id_is_fresh_again_after_its_ttl(state: SharedState, clock: Clock) -> None:
    assert state.claim("k", 60)
    clock.now += 59
    assert not state.claim("k", 60)
    clock.now += 2
    assert state.claim("k", 60)
    assert not state.claim("k", 60)


def test_a_key_longer_than_the_column_is_stored_cut(state: SharedState) -> None:
    key = "x" * (MAX_KEY_CHARS + 50)
    assert [state.claim(key, 60), state.claim(key, 60)] == [True, False]


def test_a_counter_allows_limit_hits_a_window(state: SharedState, clock: Clock) -> None:
    results = [state.hit("sender:a", 3, 60)[0] for _ in range(4)]
    assert results == [True, True, True, False]
    assert state.hit("sender:b", 3, 60)[0]


def test_retry_after_is_the_rest_of_the_window(state: SharedState, clock: Clock) -> None:
    for _ in range(2):
        state.hit("k", 2, 60)
    clock.now += 20
    assert state.hit("k", 2, 60) == (False, 41)


def test_a_new_window_starts_from_zero(state: SharedState, clock: Clock) -> None:
    for _ in range(3):
        state.hit("k", 2, 60)
    clock.now += 60
    assert [state.hit("k", 2, 60)[0] for _ in range(3)] == [True, True, False]


def test_two_servers_on_one_database_share_ids_and_counters(tmp_path: Path,
                                                           clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = (SQLState(sa.create_engine(url), clock=clock) for _ in range(2))
    assert first.claim("replay:twilio_whatsapp:SM1", 60)
    assert not second.claim("replay:twilio_whatsapp:SM1", 60)
    assert [first.hit("k", 2, 60)[0], second.hit("k", 2, 60)[0],
            first.hit("k", 2, 60)[0]] == [True, True, False]


def test_expired_ids_are_swept_from_the_table(tmp_path: Path, clock: Clock) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'sweep.db'}")
    state = SQLState(engine, clock=clock)
    state.claim("old", 10)
    clock.now += 120
    state.claim("new", 10)
    with engine.connect() as conn:
        keys = [row[0] for row in conn.execute(sa.text("SELECT key FROM panda_seen_ids"))]
    assert keys == ["new"]


class Store:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine


class Wrapped:
    def __init__(self, inner: object) -> None:
        self._tracker_store = inner


class Agent:
    def __init__(self, store: object) -> None:
        self.tracker_store = store


def test_the_engine_is_found_through_rasas_fail_safe_wrapper(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert engine_of(Agent(Wrapped(Store(engine)))) is engine
    assert engine_of(Agent(None)) is None


def test_the_state_is_redis_then_the_database_then_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(shared_state(Agent(Wrapped(Store(engine)))), SQLState)
    assert isinstance(shared_state(Agent(None)), MemoryState)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # a client, no connection yet
    assert type(shared_state(Agent(None))).__name__ == "RedisState"


def test_tables_made_meanwhile_by_another_server_are_not_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def clash(*_: object, **__: object) -> None:  # what PostgreSQL raises in that race
        raise sa.exc.IntegrityError("CREATE TABLE panda_counters", {}, Exception("pg_type"))

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    SQLState(engine)
    monkeypatch.setattr("storage.shared_state.metadata.create_all", clash)
    assert SQLState(engine).claim("k", 60)


def test_a_message_checks_share_one_transaction(tmp_path: Path, clock: Clock) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'state.db'}")
    statements: List[str] = []
    sa.event.listen(engine, "connect", lambda connection, _: connection.set_trace_callback(
        statements.append))  # what SQLite itself runs, whichever path sends it
    state = SQLState(engine, clock=clock)
    statements.clear()

    def checks() -> Tuple[bool, int]:
        state.hit("global", 100, 60)
        state.claim("conv:addr:visitor", 3600)
        return state.hit("sender:visitor", 2, 60)

    assert run_together(state, checks) == (True, 60)
    began = [sql for sql in statements if sql.strip().upper().startswith("BEGIN")]
    assert len(began) == 1 and sum("panda_counters" in sql for sql in statements) >= 2
    assert run_together(state, checks)[0] is True  # sender: second hit of two
    assert run_together(state, checks)[0] is False
    began = [sql for sql in statements if sql.strip().upper().startswith("BEGIN")]
    assert len(began) == 3


def test_a_locked_database_lets_the_message_through_and_counts_again_after(
        tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "state.db"
    state = SQLState(engine_for(f"sqlite:///{db}", busy_timeout=0.05), clock=clock)
    holder = sqlite3.connect(db, timeout=5)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        # the shared transaction fails, each statement is retried, then allowed
        assert run_together(state, lambda: state.hit("sender:visitor", 1, 60)) == (True, 60)
    finally:
        holder.rollback()
        holder.close()
    assert state.hit("sender:visitor", 1, 60)[0] is True
    assert state.hit("sender:visitor", 1, 60)[0] is False
