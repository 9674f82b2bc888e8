"""Load and crash: 20 senders for 60 s lose nothing; kill -9 under load loses no answered turn.

Traffic goes only to the bot on 127.0.0.1, and every loop stops by itself.
"""
import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from actions.catalog import SAMPLE_QUESTIONS as QUESTIONS
from tests.support.servers import Bot, rasa_pids, sqlite_url, start_bot

UNLIMITED = {"RATE_LIMIT_PER_MINUTE": "1000000"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("load")


@pytest.fixture(scope="module")
def loaded_bot(workdir: Path) -> Iterator[Bot]:
    running = start_bot(workdir, with_actions=True, extra_env=UNLIMITED)
    yield running
    running.stop()


def sender_loop(url: str, sender: str, seconds: float, sent: List[str], answered: List[str],
                errors: List[str], stop: threading.Event) -> None:
    session = requests.Session()
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and not stop.is_set():
        text = f"{QUESTIONS[i % len(QUESTIONS)]} ({i})"
        sent.append(text)
        try:
            r = session.post(f"{url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=30)
            if r.status_code == 200 and r.json():
                answered.append(text)
            else:
                errors.append(f"{r.status_code} {r.text[:100]}")
        except requests.RequestException as error:
            errors.append(type(error).__name__)
        i += 1


def run_senders(url: str, count: int, seconds: float,
                stop: threading.Event) -> Dict[str, Dict[str, List[str]]]:
    results = {f"load-{uuid.uuid4().hex[:8]}": {"sent": [], "answered": [], "errors": []}
               for _ in range(count)}
    threads = [threading.Thread(target=sender_loop, args=(url, s, seconds, r["sent"],
                                                          r["answered"], r["errors"], stop))
               for s, r in results.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return results


def stored_user_texts(bot: Bot, sender: str) -> List[str]:
    return [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]


def test_twenty_senders_for_sixty_seconds_lose_nothing(loaded_bot: Bot) -> None:
    results = run_senders(loaded_bot.url, 20, 60, threading.Event())
    errors = [e for r in results.values() for e in r["errors"]]
    total = sum(len(r["answered"]) for r in results.values())
    print(f"20 senders x 60 s: {total} answered, {len(errors)} errors, {total / 60:.1f} msg/s")
    assert errors == []
    for sender, r in results.items():
        assert r["answered"] == r["sent"]
        assert stored_user_texts(loaded_bot, sender) == r["sent"], sender


def test_kill_9_under_load_keeps_every_answered_turn(loaded_bot: Bot, workdir: Path) -> None:
    stop = threading.Event()
    outcome: Dict[str, Dict[str, Dict[str, List[str]]]] = {}
    load = threading.Thread(
        target=lambda: outcome.update(r=run_senders(loaded_bot.url, 10, 15, stop)))
    load.start()
    time.sleep(4)
    for pid in rasa_pids(loaded_bot.rasa):  # the main process and every worker
        os.kill(pid, signal.SIGKILL)
    loaded_bot.rasa.stop()
    stop.set()
    load.join(90)
    results = outcome["r"]
    assert sum(len(r["answered"]) for r in results.values()) > 0

    assert loaded_bot.db is not None
    restart_dir = workdir / "restart"
    restart_dir.mkdir()
    restarted = start_bot(restart_dir, db_url=sqlite_url(loaded_bot.db),
                          with_actions=False, extra_env=UNLIMITED)
    try:
        for sender, r in results.items():
            stored = stored_user_texts(restarted, sender)
            assert [t for t in stored if t in r["answered"]] == r["answered"], sender
        after = restarted.say("does foot massage help with sleep?", next(iter(results)))
        assert after
    finally:
        restarted.stop()
