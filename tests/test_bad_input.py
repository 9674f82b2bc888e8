"""Bad input on every public channel gets a 4xx with a JSON reason or a polite reply.

Never a 5xx, never a crash, never an empty reply to a real message.
"""
import json
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import requests
import socketio

from channels.guard import MAX_MESSAGE_CHARS
from channels.signatures import hub_signature
from tests.helpers import CHANNEL_SECRETS, chat_socket
from tests.support.servers import Bot


def rest(bot: Bot, body: bytes, content_type: str = "application/json") -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/rest/webhook", data=body,
                         headers={"Content-Type": content_type}, timeout=30)


def sender() -> str:
    return f"odd-{uuid.uuid4().hex[:10]}"


MALFORMED = {
    "empty body": b"",
    "whitespace body": b"   ",
    "invalid JSON": b'{"sender": "a", "message": ',
    "JSON array": b"[]",
    "JSON string": b'"hello"',
    "missing message": b'{"sender": "a"}',
    "null message": b'{"sender": "a", "message": null}',
    "numeric message": b'{"sender": "a", "message": 42}',
    "list message": b'{"sender": "a", "message": ["hi"]}',
    "empty message": b'{"sender": "a", "message": ""}',
    "non-UTF-8 bytes": b'{"sender": "a", "message": "caf\xe9 \xff"}',
    "missing sender": b'{"message": "hi"}',
    "numeric sender": b'{"sender": 7, "message": "hi"}',
    "sender too long": json.dumps({"sender": "s" * 256, "message": "hi"}).encode(),
    "sender with odd characters": b'{"sender": "../../etc/passwd <b>", "message": "hi"}',
    "metadata not an object": b'{"sender": "a", "message": "hi", "metadata": [1]}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_rest_request_gets_a_4xx_with_a_reason(bot: Bot, body: bytes) -> None:
    response = rest(bot, body)
    assert response.status_code == 400
    assert response.json()["reason"]


ODD_BUT_REAL = {
    "emoji only": "😀🙏💆",
    "HTML and script": "<script>alert('x')</script><b>hi</b>",
    "template-like": "{{7*7}} ${HOME} {massage_type} %s {0}",
    "control characters": "does foot massage help\x00 with\x07 sleep?\x1b",
    "right-to-left and zero-width": "\u202edoes massage help\u200b stress?",
    "only punctuation": "?!...",
    "sender-like text": "/restart",
}


@pytest.mark.parametrize("text", ODD_BUT_REAL.values(), ids=ODD_BUT_REAL.keys())
def test_odd_but_real_message_gets_a_polite_reply(bot: Bot, text: str) -> None:
    response = rest(bot, json.dumps({"sender": sender(), "message": text}).encode())
    assert response.status_code == 200
    replies = response.json()
    assert replies and any(m.get("text") for m in replies)
    said = " ".join(m.get("text", "") for m in replies)
    assert "<script>" not in said and "49" not in said


def test_control_characters_are_removed_before_the_bot_sees_them(bot: Bot) -> None:
    who = sender()
    reply = bot.say("does foot massage help\x00 with\x07 sleep?", who)
    assert any("30–60 minutes" in m.get("text", "") for m in reply)
    (stored,) = [e["text"] for e in bot.tracker(who)["events"] if e["event"] == "user"]
    assert stored == "does foot massage help with sleep?"


def test_a_very_long_message_is_capped_and_answered(bot: Bot) -> None:
    who = sender()
    text = "does foot massage help with sleep? " + "really " * 2000
    response = rest(bot, json.dumps({"sender": who, "message": text}).encode())
    assert response.status_code == 200 and response.json()
    (event,) = [e for e in bot.tracker(who)["events"] if e["event"] == "user"]
    assert len(event["text"]) == MAX_MESSAGE_CHARS
    assert event["metadata"]["truncated_from_chars"] == len(text.strip())


def test_an_oversized_body_is_refused(bot: Bot) -> None:
    body = json.dumps({"sender": "big", "message": "x" * 70_000}).encode()
    response = rest(bot, body)
    # Sanic refuses it from Content-Length (REQUEST_MAX_SIZE), before reading it
    assert response.status_code == 413 and "exceeds the size limit" in response.text


def test_too_many_messages_from_one_sender_get_a_polite_slow_down(bot: Bot) -> None:
    who = sender()
    statuses = [rest(bot, json.dumps({"sender": who, "message": "hi"}).encode()).status_code
                for _ in range(30)]
    assert statuses == [200] * 30
    limited = rest(bot, json.dumps({"sender": who, "message": "hi"}).encode())
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert "faster than I can answer" in limited.json()["messages"][0]["text"]
    other = rest(bot, json.dumps({"sender": sender(), "message": "hi"}).encode())
    assert other.status_code == 200


# --- socket.io (the chat page) -------------------------------------------------


@pytest.fixture(scope="module")
def socket_client(bot: Bot, chat_port: int) -> Iterator[Tuple[socketio.Client, Dict[str, List]]]:
    """One socket.io connection for the module, as the chat page opens it."""
    client = chat_socket(f"http://127.0.0.1:{chat_port}")
    got: Dict[str, List] = {"bot": [], "error": [], "session": []}
    client.on("bot_uttered", lambda data: got["bot"].append(data))
    client.on("error", lambda data: got["error"].append(data))
    client.on("session_confirm", lambda data: got["session"].append(data))
    client.connect(bot.url, transports=["websocket"], socketio_path="/socket.io")
    yield client, got
    client.eio.disconnect(abort=True)


def wait_for(client: socketio.Client, done: Callable[[], bool], timeout: float = 30) -> None:
    """Let the client receive events until ``done()``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the server did not answer in time"
        client.sleep(0.05)


def socket_exchange(socket_client: Tuple[socketio.Client, Dict[str, List]], payloads: List[Any],
                    until: Callable[[Dict[str, List]], bool]) -> Dict[str, List]:
    """Send ``payloads`` in a new session; what came back once ``until`` holds."""
    client, got = socket_client
    got["bot"].clear()
    got["error"].clear()
    got["session"].clear()
    client.emit("session_request", {"session_id": None})
    wait_for(client, lambda: bool(got["session"]))
    session = got["session"][-1]  # the server issues the session id
    for payload in payloads:
        if isinstance(payload, dict) and payload.get("session_id") == "SESSION":
            payload = {**payload, "session_id": session}
        client.emit("user_uttered", payload)
    wait_for(client, lambda: until(got))
    return {k: list(v) for k, v in got.items()}


@pytest.mark.parametrize("payload,reason", [
    ("just a string", "object"),
    ({"session_id": "SESSION"}, "string"),
    ({"session_id": "SESSION", "message": None}, "string"),
    ({"session_id": "SESSION", "message": 12}, "string"),
    ({"message": "hi"}, "session_id"),
    ({"session_id": "x" * 300, "message": "hi"}, "255"),
])
def test_malformed_socket_message_gets_an_error_event(socket_client: Any, payload: Any,
                                                     reason: str) -> None:
    got = socket_exchange(socket_client, [payload], until=lambda got: bool(got["error"]))
    assert got["bot"] == []
    assert len(got["error"]) == 1 and reason in got["error"][0]["reason"]


def test_odd_socket_messages_get_polite_replies(socket_client: Any) -> None:
    got = socket_exchange(socket_client, [{"session_id": "SESSION", "message": "😀😀"},
                                          {"session_id": "SESSION", "message": "x" * 9000}],
                          until=lambda got: len([m for m in got["bot"] if m.get("text")]) >= 2)
    assert got["error"] == []
    assert len([m for m in got["bot"] if m.get("text")]) >= 2


# --- channel webhooks -------------------------------------------------------------


@pytest.mark.parametrize("channel,secret", [("messenger", "MESSENGER_APP_SECRET"),
                                            ("whatsapp", "WHATSAPP_APP_SECRET")])
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"object": "something else"}',
                                  b"\xff\xfe"])
def test_signed_but_malformed_meta_body_gets_400(bot: Bot, channel: str, secret: str,
                                                 body: bytes) -> None:
    response = requests.post(
        f"{bot.url}/webhooks/{channel}/webhook", data=body, timeout=10,
        headers={"X-Hub-Signature-256": hub_signature(CHANNEL_SECRETS[secret], body)})
    assert response.status_code == 400 and response.json()["reason"]


def test_signed_twilio_request_without_sender_gets_400(bot: Bot) -> None:
    from twilio.request_validator import RequestValidator

    url = f"{bot.url}/webhooks/twilio_whatsapp/webhook"
    form = {"Body": "hi", "MessageSid": f"SM{uuid.uuid4().hex}"}
    signature = RequestValidator(CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert response.status_code == 400 and "From" in response.json()["reason"]
