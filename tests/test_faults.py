"""Faults: the action server down, the database missing at start, SQLite locked."""
import os
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from storage.pseudonyms import shown
from tests.support.servers import (
    QUIET_ENV,
    ROOT,
    VENV_BIN,
    Bot,
    channel_env,
    endpoints_yaml,
    free_port,
    start_bot,
)


def user_texts(bot: Bot, sender: str) -> list:
    return [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]


# --- action server down (bare_bot runs none) --------------------------------------


def test_answers_and_contacts_work_without_the_action_server(bare_bot: Bot) -> None:
    who = f"no-actions-{uuid.uuid4().hex[:8]}"
    sleep = bare_bot.say("does foot massage help with sleep?", who)
    assert any("30–60 minutes" in m.get("text", "") for m in sleep)
    book = bare_bot.say("I want to book", who)
    assert any("booking@pandaspa.vn" in m.get("text", "") for m in book)


def test_unsure_turn_without_the_action_server_still_gets_contacts(bare_bot: Bot) -> None:
    who = f"no-actions-{uuid.uuid4().hex[:8]}"
    reply = bare_bot.say("qwzx plorb vvv", who)
    text = " ".join(m.get("text", "") for m in reply)
    assert "couldn't answer that just now" in text and "booking@pandaspa.vn" in text
    log = bare_bot.rasa.log.read_text(errors="replace")
    # logs name the conversation by the console's pseudonym, never by its raw id
    assert f"No reply for a message from {shown('rest:' + who)}" in log
    assert who not in log
    assert "action server" in log.lower()


# --- database unavailable at start ------------------------------------------------


def test_rasa_exits_with_a_clear_error_when_the_database_is_unreachable(tmp_path: Path) -> None:
    endpoints = endpoints_yaml(tmp_path / "endpoints.yml", {
        "type": "storage.tracker_store.PandaSQLTrackerStore", "startup_wait_seconds": 2})
    env = {**os.environ, **channel_env(), **QUIET_ENV,
           "TRACKER_DB_URL": f"postgresql://panda@127.0.0.1:{free_port()}/panda"}
    result = subprocess.run(
        [str(VENV_BIN / "rasa"), "run", "--model", str(ROOT / "models" / "panda.tar.gz"),
         "--interface", "127.0.0.1", "--port", str(free_port()),
         "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "Cannot reach the conversation database at postgresql://panda@127.0.0.1" in (
        result.stdout + result.stderr)


# --- SQLite locked or busy ----------------------------------------------------------


@pytest.fixture(scope="module")
def impatient_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """A bot whose SQLite busy timeout is short, so a held lock forces retries."""
    workdir = tmp_path_factory.mktemp("locked")
    endpoints = endpoints_yaml(
        workdir / "endpoints.yml",
        {"type": "storage.tracker_store.PandaSQLTrackerStore", "sqlite_busy_timeout_seconds": 0.5})
    running = start_bot(workdir, with_actions=False, endpoints=endpoints)
    running.db = workdir / "conversations.db"
    yield running
    running.stop()


def test_a_locked_sqlite_database_is_retried_and_no_event_is_lost(impatient_bot: Bot) -> None:
    who = f"locked-{uuid.uuid4().hex[:8]}"
    impatient_bot.say("hello", who)
    assert impatient_bot.db is not None
    holder = sqlite3.connect(impatient_bot.db, timeout=30, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Event()

    def release() -> None:
        time.sleep(3)
        holder.rollback()
        holder.close()
        released.set()

    threading.Thread(target=release).start()
    started = time.monotonic()
    reply = impatient_bot.say("what is reflexology?", who)
    assert released.is_set() or time.monotonic() - started >= 2.5
    assert any("Reflexology" in m.get("text", "") for m in reply)
    assert user_texts(impatient_bot, who) == ["hello", "what is reflexology?"]
