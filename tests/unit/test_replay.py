"""channels/replay.py: ids for messages without one, stale events, the replay guard."""
import hashlib
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from channels.replay import MAX_EVENT_AGE_SECONDS, ReplayGuard, body_id, is_current
from storage.shared_state import LazyState, MemoryState, SharedState, SQLState

BODY = b'{"object": "page", "entry": []}'
NOW = 1_700_000_000.0


def test_body_ids_are_the_body_hash_and_the_message_index() -> None:
    digest = hashlib.sha256(BODY).hexdigest()
    assert [body_id(BODY), body_id(BODY, 1)] == [f"body:{digest}:0", f"body:{digest}:1"]
    assert body_id(BODY + b" ") != body_id(BODY)


@pytest.mark.parametrize(("event_time", "current"), [
    (NOW, True), (NOW - MAX_EVENT_AGE_SECONDS, True), (NOW + MAX_EVENT_AGE_SECONDS, True),
    (NOW - MAX_EVENT_AGE_SECONDS - 1, False), (NOW + MAX_EVENT_AGE_SECONDS + 1, False),
    (None, False)])
def test_only_events_within_ten_minutes_are_current(event_time: float | None,
                                                    current: bool) -> None:
    assert is_current(event_time, NOW) is current


@pytest.fixture(params=["memory", "sqlite"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SharedState]:
    if request.param == "memory":
        yield MemoryState()
        return
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'state.db'}")
    yield SQLState(engine)
    engine.dispose()


def test_the_replay_guard_keys_ids_by_channel(state: SharedState,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    lazy = LazyState()
    lazy._state = state
    monkeypatch.setattr("channels.replay.STATE", lazy)
    messenger, whatsapp = ReplayGuard("messenger"), ReplayGuard("whatsapp")
    assert messenger.fresh(None, ["m1", "m2", "m1"]) == [True, True, False]
    assert whatsapp.fresh(None, ["m1"]) == [True]
