"""Two Rasa servers sharing a Redis lock store and a PostgreSQL tracker store.

Rasa's own scale-out: one conversation's messages go alternately (and then
concurrently) to both servers; turns stay in order and every event is stored.
Redis and PostgreSQL are real servers from Debian's packages on loopback.
"""
import threading
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from tests.support.servers import Bot, endpoints_yaml, start_bot
from tests.support.services import postgres_server, redis_server


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Bot, Bot]]:
    work = tmp_path_factory.mktemp("scale")
    with postgres_server(_mkdir(work / "pg")) as db_url, \
            redis_server(_mkdir(work / "redis")) as port:
        endpoints = endpoints_yaml(
            work / "endpoints.yml",
            {"type": "storage.tracker_store.PandaSQLTrackerStore"},
            {"type": "storage.lock_store.AtomicRedisLockStore", "url": "127.0.0.1",
             "port": port, "db": 1})
        env = {"RATE_LIMIT_PER_MINUTE": "100000"}
        first = start_bot(_mkdir(work / "a"), db_url=db_url, extra_env=env, endpoints=endpoints)
        try:
            second = start_bot(_mkdir(work / "b"), db_url=db_url, extra_env=env,
                               endpoints=endpoints)
        except Exception:
            first.stop()
            raise
        yield first, second
        second.stop()
        first.stop()


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


QUESTIONS = ["does foot massage help with sleep?", "how often?", "what is reflexology?",
             "and for stress?", "I want to book", "thanks"]


def turns(bot: Bot, sender: str) -> List[Tuple[str, List[str]]]:
    """(user text, bot texts that followed it) for each stored turn."""
    result: List[Tuple[str, List[str]]] = []
    for event in bot.tracker(sender)["events"]:
        if event["event"] == "user":
            result.append((event["text"], []))
        elif event["event"] == "bot" and result:
            result[-1][1].append(event.get("text") or "")
    return result


def test_alternating_servers_keep_one_conversation_in_order(two_servers: Tuple[Bot, Bot]) -> None:
    first, second = two_servers
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    sent, replies = [], []
    for i in range(24):
        text = f"{QUESTIONS[i % len(QUESTIONS)]} #{i}"
        reply = (first, second)[i % 2].say(text, sender)
        replies.append(" ".join(m.get("text", "") for m in reply))
        sent.append(text)
    for bot in (first, second):
        stored = turns(bot, sender)
        assert [text for text, _ in stored] == sent
        assert all(bot_texts for _, bot_texts in stored)
    # the context slot followed the conversation across servers
    stress = replies[3]
    assert "foot" in stress.lower() or "rhythmic" in stress


def test_concurrent_messages_to_both_servers_are_serialised(two_servers: Tuple[Bot, Bot]) -> None:
    first, second = two_servers
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    sent: Dict[str, List[str]] = {"a": [], "b": []}
    empty: List[str] = []
    errors: List[BaseException] = []

    def send(bot: Bot, key: str) -> None:
        # an assert here would only warn: record what went wrong, the test asserts below
        try:
            for i in range(12):
                text = f"{key}-{i}: {QUESTIONS[i % len(QUESTIONS)]}"
                if not bot.say(text, sender):
                    empty.append(text)
                sent[key].append(text)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=send, args=(first, "a")),
               threading.Thread(target=send, args=(second, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a sender was still waiting after 120 s"
    assert errors == [] and empty == []
    assert len(sent["a"]) == len(sent["b"]) == 12
    stored = turns(first, sender)
    texts = [text for text, _ in stored]
    assert sorted(texts) == sorted(sent["a"] + sent["b"])
    assert [t for t in texts if t.startswith("a-")] == sent["a"]
    assert [t for t in texts if t.startswith("b-")] == sent["b"]
    # a turn's bot messages come before the next user message: no interleaving
    assert all(bot_texts for _, bot_texts in stored)
