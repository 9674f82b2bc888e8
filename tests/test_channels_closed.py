"""With no secrets set, the web and REST channels work and the others refuse everything."""
import json

import pytest
import requests

from channels.signatures import hub_signature
from tests.conftest import BARE_BOT_PAGE
from tests.helpers import chat_socket
from tests.support.servers import Bot


def test_rest_still_answers(bare_bot: Bot) -> None:
    reply = bare_bot.say("I want to book", "bare-visitor")
    assert any("booking@pandaspa.vn" in m.get("text", "") for m in reply)


def test_socketio_endpoint_is_up(bare_bot: Bot) -> None:
    client = chat_socket(BARE_BOT_PAGE)
    client.connect(bare_bot.url, transports=["websocket"], socketio_path="/socket.io")
    try:
        assert client.connected and client.transport() == "websocket"
    finally:
        client.disconnect()


@pytest.mark.parametrize("channel", ["messenger", "whatsapp", "twilio_whatsapp"])
def test_unconfigured_channel_refuses_even_signed_requests(bare_bot: Bot, channel: str) -> None:
    body = json.dumps({"object": "page", "entry": []}).encode()
    r = requests.post(f"{bare_bot.url}/webhooks/{channel}/webhook", data=body, timeout=10,
                      headers={"X-Hub-Signature-256": hub_signature("", body),
                               "X-Twilio-Signature": "x"})
    assert r.status_code == 403
    assert r.json()["reason"] == "channel not configured"


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_unconfigured_handshake_is_refused(bare_bot: Bot, channel: str) -> None:
    r = requests.get(f"{bare_bot.url}/webhooks/{channel}/webhook",
                     params={"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})
    assert r.status_code == 403
