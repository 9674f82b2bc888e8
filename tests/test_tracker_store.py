"""storage/tracker_store.py against real SQLite files and the local PostgreSQL."""
import logging
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from storage.tracker_store import PandaSQLTrackerStore, TrackerStoreUnavailable, database_url


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


def postgres_url() -> str:
    """The machine's PostgreSQL (trust auth on loopback), if it is running."""
    url = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        with sa.create_engine(url).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    return url


async def test_events_round_trip_on_postgresql(monkeypatch: pytest.MonkeyPatch,
                                               domain: object) -> None:
    url = postgres_url()
    schema_db = f"panda_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {schema_db}"))
    try:
        monkeypatch.setenv("TRACKER_DB_URL", url.rsplit("/", 1)[0] + f"/{schema_db}")
        store = PandaSQLTrackerStore(domain=domain)
        await store.save(conversation("visitor", 2))
        tracker = conversation("visitor", 3)
        await store.save(tracker)
        stored = await store.retrieve("visitor")
        assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
            "message 0", "message 1", "message 2"]
        store.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {schema_db}"))
        admin.dispose()
