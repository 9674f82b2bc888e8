"""storage/tracker_store.py against real SQLite files and a PostgreSQL server it starts."""
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storage.tracker_store import PandaSQLTrackerStore, TrackerStoreUnavailable, database_url
from tests.support.services import postgres_server


def conversation(sender: str, turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, [])
    for i in range(turns):
        tracker.update(UserUttered(f"message {i}", {"name": "greet", "confidence": 1.0}))
        tracker.update(BotUttered(f"answer {i}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


async def test_events_round_trip_in_order(tmp_path: Path, domain: object) -> None:
    store = PandaSQLTrackerStore(domain=domain, db=str(tmp_path / "c.db"))
    await store.save(conversation("visitor", 3))
    stored = await store.retrieve("visitor")
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
        "message 0", "message 1", "message 2"]


async def test_a_busy_database_is_retried_until_the_lock_is_released(
        tmp_path: Path, domain: object, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "c.db"
    store = PandaSQLTrackerStore(domain=domain, db=str(db), sqlite_busy_timeout_seconds=0.2)
    holder = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.0, holder.rollback).start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="storage.tracker_store"):
        await store.save(conversation("visitor", 2))
    assert time.monotonic() - started >= 0.9
    assert "conversation database busy, retrying" in caplog.text
    stored = await store.retrieve("visitor")
    assert len([e for e in stored.events if isinstance(e, UserUttered)]) == 2


def test_an_unreachable_database_fails_fast_with_a_clear_error(
        monkeypatch: pytest.MonkeyPatch, domain: object) -> None:
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://panda:hidden@127.0.0.1:1/panda")
    started = time.monotonic()
    with pytest.raises(TrackerStoreUnavailable) as error:
        PandaSQLTrackerStore(domain=domain, startup_wait_seconds=1)
    assert time.monotonic() - started < 15
    assert "Cannot reach the conversation database at postgresql://panda:***@127.0.0.1:1" in str(
        error.value)
    assert "hidden" not in str(error.value)


def test_the_url_variable_picks_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    assert database_url("conversations.db") == "sqlite:///conversations.db"
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://127.0.0.1/panda")
    assert database_url("conversations.db") == "postgresql://127.0.0.1/panda"


async def test_events_round_trip_on_postgresql(monkeypatch: pytest.MonkeyPatch, domain: object,
                                               tmp_path: Path) -> None:
    with postgres_server(tmp_path, "panda_tracker") as url:
        monkeypatch.setenv("TRACKER_DB_URL", url)
        store = PandaSQLTrackerStore(domain=domain)
        try:
            await store.save(conversation("visitor", 2))
            await store.save(conversation("visitor", 3))
            stored = await store.retrieve("visitor")
            assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
                "message 0", "message 1", "message 2"]
        finally:
            store.engine.dispose()


def test_the_store_indexes_a_conversation_by_time(tmp_path: Path, domain: object) -> None:
    PandaSQLTrackerStore(domain=domain, db=str(tmp_path / "c.db"))
    with sqlite3.connect(tmp_path / "c.db") as connection:
        columns = [row[2] for row in connection.execute(
            "PRAGMA index_info('ix_events_sender_id_timestamp')")]
    assert columns == ["sender_id", "timestamp"]
