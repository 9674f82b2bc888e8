"""Issue 27 through the running bot, behind a trusted proxy (127.0.0.1) on loopback.

One address over its limit leaves the global ceiling to everyone else; a refused
new conversation stays refused; the booking cap per address follows the
client address from the channel to the action server.
"""
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests

from tests.support.servers import Bot, start_bot
from tests.test_booking_bot import WHOLE, rows, smtp, texts

__all__ = ["smtp"]


@pytest.fixture(scope="module")
def limited_bot(tmp_path_factory: pytest.TempPathFactory, smtp: Any) -> Iterator[Bot]:
    env = {"TRUSTED_PROXIES": "127.0.0.1", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "15",
           "RATE_LIMIT_GLOBAL_PER_MINUTE": "40", "NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR": "3",
           "RATE_LIMIT_PER_MINUTE": "1000", "BOOKINGS_PER_ADDRESS_PER_DAY": "2",
           "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "REST_TOKEN": ""}
    running = start_bot(tmp_path_factory.mktemp("limited"), extra_env=env)
    yield running
    running.stop()


def say(bot: Bot, sender: str, text: str, address: str) -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=60,
                         json={"sender": sender, "message": text},
                         headers={"X-Forwarded-For": address})


def test_one_flooding_address_leaves_the_global_ceiling_to_others(limited_bot: Bot) -> None:
    flood = [say(limited_bot, "flooder", "hi", "203.0.113.66").status_code for _ in range(80)]
    assert flood.count(200) == 15 and flood.count(429) == 65
    assert say(limited_bot, "bystander", "hi", "198.51.100.7").status_code == 200


def test_a_refused_new_conversation_does_not_get_in_by_sending_again(limited_bot: Bot) -> None:
    address = "203.0.113.77"
    statuses = [say(limited_bot, f"new-{i}", "hi", address).status_code for i in range(3)]
    assert statuses == [200, 200, 200]
    again = [say(limited_bot, "new-3", "hi", address).status_code for _ in range(3)]
    assert again == [429, 429, 429]


def test_the_booking_cap_per_address_holds_across_conversations(limited_bot: Bot) -> None:
    address = "192.0.2.55"
    replies: List[str] = []
    senders = [f"booker-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for n, sender in enumerate(senders, start=1):
        reply: List[Dict[str, Any]] = []
        for message in [f"book {n} foot massages tomorrow at 7pm", *WHOLE[1:]]:
            response = say(limited_bot, sender, message, address)
            assert response.status_code == 200
            reply = response.json()
        replies.append(texts(reply))
    assert all("passed your request" in reply for reply in replies[:2])
    assert "already sent us several booking requests" in replies[2]
    assert [len(rows(limited_bot, s)) for s in senders] == [1, 1, 0]
