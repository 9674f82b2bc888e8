"""Several Rasa workers on one port, as `make run` starts them, with the embedded default.

scripts/run.sh starts one worker per core (RASA_WORKERS), all sharing the
SQLite file and the file locks of storage/lock_store.py. Messages of one
conversation sent at once over separate connections reach different workers;
the lock keeps them one at a time, so every turn is stored whole and in order.
"""
import os
import signal
import threading
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from bench.realistic import cpu_seconds
from tests.support.servers import Bot, rasa_pids, start_bot
from tests.test_scale_out import QUESTIONS, turns


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    work = tmp_path_factory.mktemp("workers")
    bot = start_bot(work, extra_env={"RASA_WORKERS": "2", "RATE_LIMIT_PER_MINUTE": "100000",
                                     "LOCK_DIR": str(work / "locks")})
    yield bot
    bot.stop()


def workers(bot: Bot) -> List[int]:
    """The worker processes: every Rasa process but the main one."""
    pids = rasa_pids(bot.rasa)
    return pids[1:]


def test_make_run_starts_the_workers_asked_for_with_their_locks(two_workers: Bot) -> None:
    assert len(workers(two_workers)) == 2
    assert two_workers.say("hello", "first-lock")
    assert list((Path(two_workers.rasa.log).parent / "locks").glob("*.lock"))


def test_one_conversation_over_both_workers_stays_whole_and_in_order(two_workers: Bot) -> None:
    sender = "many-connections"
    sent: Dict[int, List[str]] = {n: [] for n in range(4)}
    failures: List[str] = []
    busy_before = [cpu_seconds([pid]) for pid in workers(two_workers)]

    def send(n: int) -> None:
        # a new connection per message, so the kernel spreads them over the workers
        for i in range(8):
            text = f"{n}-{i}: {QUESTIONS[(n + i) % len(QUESTIONS)]}"
            try:
                r = requests.post(f"{two_workers.url}/webhooks/rest/webhook",
                                  json={"sender": sender, "message": text}, timeout=60)
                if r.status_code != 200 or not r.json():
                    failures.append(f"{text}: {r.status_code} {r.text[:100]}")
            except requests.RequestException as error:
                failures.append(f"{text}: {error}")
            sent[n].append(text)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    stored = turns(two_workers, sender)
    texts = [text for text, _ in stored]
    assert sorted(texts) == sorted(sum(sent.values(), []))
    for n in range(4):
        assert [t for t in texts if t.startswith(f"{n}-")] == sent[n]
    # each turn's answers come before the next message: no two turns ran together
    assert all(bot_texts for _, bot_texts in stored)
    busy_after = [cpu_seconds([pid]) for pid in workers(two_workers)]
    assert all(after > before for before, after in zip(busy_before, busy_after, strict=True))


def test_no_worker_outlives_a_killed_main_process(two_workers: Bot) -> None:
    main, *serving = rasa_pids(two_workers.rasa)
    os.kill(main, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(alive(pid) for pid in serving):
        time.sleep(0.2)
    assert not any(alive(pid) for pid in serving)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
