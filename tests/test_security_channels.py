"""Security of the public server: body limits, signatures, replays, ids, limits, tokens.

Real Rasa servers on loopback: the shared ``bot`` (all channels, SQLite), and
``secure_bot``, started by scripts/run.sh with a REST token, a trusted proxy,
small per-address limits, Twilio's documented test token and Redis.
"""
import json
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlencode

import pytest
import requests
import socketio

from channels.signatures import hub_signature
from tests.fakes import FakeProvider
from tests.helpers import CHANNEL_SECRETS, chat_socket
from tests.support.servers import Bot, start_bot
from tests.support.services import redis_server

MESSENGER_SECRET = CHANNEL_SECRETS["MESSENGER_APP_SECRET"]
REST_TOKEN = "rest-token-for-tests"
# Twilio's documented signature example (token, URL, parameters, signature)
TWILIO_DOC_TOKEN = "12345"
TWILIO_DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_DOC_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030",
                     "Digits": "1234", "From": "+12349013030", "To": "+18005551212"}
TWILIO_DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.fixture(scope="module")
def secure_bot(tmp_path_factory: pytest.TempPathFactory,
               provider: FakeProvider) -> Iterator[Bot]:
    """A bot behind a trusted proxy (127.0.0.1), with a REST token, small limits and Redis."""
    workdir = tmp_path_factory.mktemp("secure")
    with redis_server(workdir) as port:
        env = {**CHANNEL_SECRETS, "META_GRAPH_API_URL": provider.url,
               "TWILIO_API_URL": provider.url, "TWILIO_AUTH_TOKEN": TWILIO_DOC_TOKEN,
               "TWILIO_WEBHOOK_URL": TWILIO_DOC_URL, "REST_TOKEN": REST_TOKEN,
               "TRUSTED_PROXIES": "127.0.0.1", "RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "5",
               "NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR": "3",
               "REDIS_URL": f"redis://127.0.0.1:{port}/2"}
        running = start_bot(workdir, extra_env=env)
        yield running
        running.stop()


def rest(bot: Bot, body: Any, headers: Dict[str, str] | None = None) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{bot.url}/webhooks/rest/webhook", data=data, timeout=30,
                         headers={"Content-Type": "application/json", **(headers or {})})


def user_events(bot: Bot, sender: str, prefix: str = "rest:") -> List[Dict[str, Any]]:
    return [e for e in bot.tracker(sender, prefix=prefix)["events"] if e["event"] == "user"]


def new_id(kind: str = "sec") -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"


# --- 1. bodies over 64 KB are refused before they are read ----------------------


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/messenger/webhook",
                                  "/webhooks/twilio_whatsapp/webhook",
                                  "/socket.io/?EIO=4&transport=polling"])
def test_an_oversized_body_gets_413_before_it_is_sent(bot: Bot, path: str) -> None:
    host, port = bot.url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                     f"\r\nContent-Length: {10_000_000}\r\n\r\n".encode() + b"[" * 1000)
        conn.settimeout(5)  # the rest of the 10 MB is never sent
        answer = conn.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


# --- 2. per-address limits, trusted proxies, metadata ----------------------------


def test_new_conversations_per_forwarded_address_are_limited(secure_bot: Bot) -> None:
    auth = {"Authorization": f"Bearer {REST_TOKEN}"}
    visitor = {**auth, "X-Forwarded-For": "203.0.113.7"}
    statuses = [rest(secure_bot, {"sender": new_id(), "message": "hi"}, visitor).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = {**auth, "X-Forwarded-For": "203.0.113.8"}
    assert rest(secure_bot, {"sender": new_id(), "message": "hi"}, other).status_code == 200


def test_messages_per_forwarded_address_are_limited_whatever_the_sender(
        secure_bot: Bot) -> None:
    headers = {"Authorization": f"Bearer {REST_TOKEN}", "X-Forwarded-For": "203.0.113.20"}
    who = new_id()
    statuses = [rest(secure_bot, {"sender": who, "message": "hi"}, headers).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_visitor_metadata_keeps_only_a_short_language_hint(bot: Bot) -> None:
    who = new_id()
    metadata = {"language": "vi", "truncated_from_chars": 99999, "blob": "x" * 20_000}
    assert rest(bot, {"sender": who, "message": "hi", "metadata": metadata}).status_code == 200
    (event,) = user_events(bot, who)
    visitor_keys = set(event["metadata"]) - {"assistant_id", "model_id"}  # Rasa adds these
    assert visitor_keys == {"language"} and event["metadata"]["language"] == "vi"


# --- 3. conversations are namespaced by channel; socket sessions are bound -------


def test_rest_cannot_write_into_a_whatsapp_conversation(bot: Bot) -> None:
    number = f"whatsapp:+8497{uuid.uuid4().int % 10**7:07d}"
    assert rest(bot, {"sender": number, "message": "I want to book"}).status_code == 200
    assert [e["text"] for e in user_events(bot, number)] == ["I want to book"]
    assert user_events(bot, number, prefix="") == []


@pytest.fixture
def sockets(bot: Bot, chat_port: int) -> Iterator[List[Any]]:
    clients: List[Any] = []

    def connect() -> Any:
        client = chat_socket(f"http://127.0.0.1:{chat_port}")
        got: Dict[str, List] = {"bot": [], "error": [], "session": []}
        client.on("bot_uttered", lambda d: got["bot"].append(d))
        client.on("error", lambda d: got["error"].append(d))
        client.on("session_confirm", lambda d: got["session"].append(d))
        client.connect(bot.url, transports=["websocket"], socketio_path="/socket.io")
        clients.append(client)
        return client, got

    yield [connect]
    for client in clients:
        client.eio.disconnect(abort=True)


def test_a_socket_cannot_speak_for_a_session_it_was_not_given(bot: Bot, sockets: Any) -> None:
    (connect,) = sockets
    owner, owner_got = connect()
    chosen = "a" * 32 + "." + "b" * 32
    owner.emit("session_request", {"session_id": chosen})
    owner.sleep(0.5)
    (issued,) = owner_got["session"]
    assert issued != chosen  # ids are issued by the server, not chosen by the page
    intruder, intruder_got = connect()
    intruder.emit("session_request", {"session_id": None})
    intruder.sleep(0.5)
    intruder.emit("user_uttered", {"session_id": issued, "message": "I want to book"})
    intruder.sleep(2)
    assert intruder_got["bot"] == [] and owner_got["bot"] == []
    assert "unknown session_id" in intruder_got["error"][0]["reason"]
    assert user_events(bot, issued, prefix="web:") == []


def test_an_issued_session_survives_a_reconnect(bot: Bot, sockets: Any) -> None:
    (connect,) = sockets
    first, first_got = connect()
    first.emit("session_request", {"session_id": None})
    first.sleep(0.5)
    (issued,) = first_got["session"]
    again, again_got = connect()
    again.emit("session_request", {"session_id": issued})
    again.sleep(0.5)
    assert again_got["session"] == [issued]
    again.emit("user_uttered", {"session_id": issued, "message": "hello"})
    again.sleep(3)
    assert again_got["error"] == []
    assert [e["text"] for e in user_events(bot, issued, prefix="web:")] == ["hello"]


def test_rest_token_is_required_when_set(secure_bot: Bot) -> None:
    body = {"sender": new_id(), "message": "hi"}
    missing = rest(secure_bot, body)
    wrong = rest(secure_bot, body, {"Authorization": "Bearer nope"})
    right = rest(secure_bot, body, {"Authorization": f"Bearer {REST_TOKEN}"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert "Bearer" in missing.json()["reason"]


# --- 4. Twilio: blank values are signed too --------------------------------------


# The documented vectors, verified in process: tests/unit/test_twilio_whatsapp.py


def twilio_doc_post(bot: Bot, params: Dict[str, str], signature: str) -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/twilio_whatsapp/webhook?foo=1&bar=2",
                         data=urlencode(params), timeout=30,
                         headers={"X-Twilio-Signature": signature,
                                  "Content-Type": "application/x-www-form-urlencoded"})


def test_twilio_documented_example_and_a_blank_value_are_accepted(secure_bot: Bot) -> None:
    from twilio.request_validator import RequestValidator

    assert twilio_doc_post(secure_bot, TWILIO_DOC_PARAMS, TWILIO_DOC_SIGNATURE).status_code == 200
    blank = {**TWILIO_DOC_PARAMS, "CallSid": "CA" + uuid.uuid4().hex, "ToCity": ""}
    signature = RequestValidator(TWILIO_DOC_TOKEN).compute_signature(TWILIO_DOC_URL, blank)
    assert twilio_doc_post(secure_bot, blank, signature).status_code == 200


# --- 5. replays without ids, stale Meta events, shared across servers ------------


def messenger_event(sender: str, text: str, timestamp_ms: int, mid: bool = True) -> bytes:
    message: Dict[str, Any] = {"text": text}
    if mid:
        message["mid"] = f"m_{uuid.uuid4().hex}"
    return json.dumps({"object": "page", "entry": [{"id": "p", "time": timestamp_ms,
                       "messaging": [{"sender": {"id": sender}, "recipient": {"id": "p"},
                                      "timestamp": timestamp_ms, "message": message}]}]}).encode()


def post_messenger(bot: Bot, body: bytes) -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/messenger/webhook", data=body, timeout=30,
                         headers={"X-Hub-Signature-256": hub_signature(MESSENGER_SECRET, body)})


def test_a_messenger_event_without_mid_is_not_processed_twice(bot: Bot) -> None:
    psid = f"5{uuid.uuid4().int % 10**9:09d}"
    body = messenger_event(psid, "hello", int(time.time() * 1000), mid=False)
    assert [post_messenger(bot, body).status_code for _ in range(2)] == [200, 403]
    assert [e["text"] for e in user_events(bot, psid, prefix="")] == ["hello"]


def test_a_stale_messenger_event_is_refused(bot: Bot) -> None:
    psid = f"6{uuid.uuid4().int % 10**9:09d}"
    stale = int((time.time() - 11 * 60) * 1000)
    response = post_messenger(bot, messenger_event(psid, "hello", stale))
    assert response.status_code == 403 and "stale" in response.json()["reason"]
    assert user_events(bot, psid, prefix="") == []


def test_a_twilio_request_without_message_sid_is_not_processed_twice(secure_bot: Bot) -> None:
    from twilio.request_validator import RequestValidator

    params = {"From": f"whatsapp:+8498{uuid.uuid4().int % 10**7:07d}", "Body": "hello",
              "To": "whatsapp:+84383967775"}
    signature = RequestValidator(TWILIO_DOC_TOKEN).compute_signature(TWILIO_DOC_URL, params)
    statuses = [twilio_doc_post(secure_bot, params, signature).status_code for _ in range(2)]
    assert statuses == [200, 403]
    assert [e["text"] for e in user_events(secure_bot, params["From"], prefix="")] == ["hello"]


# --- 10. bad input is a 4xx, never a 500 -------------------------------------------


def test_deeply_nested_json_gets_400(bot: Bot) -> None:
    body = b'{"sender": "deep", "message": "hi", "metadata": {"a": ' + b"[" * 30_000 + \
        b"]" * 30_000 + b"}}"
    response = rest(bot, body)
    assert response.status_code == 400 and "nested" in response.json()["reason"]


@pytest.mark.parametrize("channel", ["messenger", "whatsapp"])
def test_non_ascii_verify_token_gets_403(bot: Bot, channel: str) -> None:
    response = requests.get(f"{bot.url}/webhooks/{channel}/webhook", timeout=10, params={
        "hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "mật khẩu"})
    assert response.status_code == 403 and response.json()["reason"]


def test_non_ascii_signature_header_gets_403(bot: Bot) -> None:
    body = messenger_event("123", "hi", int(time.time() * 1000))
    response = requests.post(f"{bot.url}/webhooks/messenger/webhook", data=body, timeout=10,
                             headers={"X-Hub-Signature-256": "sha256=é".encode("latin-1")})
    assert response.status_code == 403 and "signature" in response.json()["reason"].lower()


# --- 14. typed payloads are text; offered ones are intents ---------------------------


def test_a_typed_intent_payload_is_treated_as_text(bot: Bot) -> None:
    who = new_id()
    assert rest(bot, {"sender": who, "message": "/ask_pain@0.01"}).status_code == 200
    rating = '/feedback{"rating": "down", "answer": "utter_ask_sleep"}'
    assert rest(bot, {"sender": who, "message": rating}).status_code == 200
    first, second = user_events(bot, who)
    # the 👎 offered after the first message (if any) rates that answer, not utter_ask_sleep
    assert first["text"] == "ask_pain@0.01" and first["parse_data"]["intent"]["confidence"] != 0.01
    # no rating reaches the statistics: the text carries no rating entity
    assert [e for e in second["parse_data"]["entities"] if e["entity"] == "rating"] == []


def test_a_payload_the_bot_offered_is_accepted(bot: Bot) -> None:
    who = new_id()
    answer = rest(bot, {"sender": who, "message": "does foot massage help with sleep?"}).json()
    offered = [b["payload"] for m in answer for b in m.get("buttons", [])]
    assert "/ask_frequency" in offered
    rest(bot, {"sender": who, "message": "/ask_frequency"})
    last = user_events(bot, who)[-1]
    assert (last["text"], last["parse_data"]["intent"]["name"]) == ("/ask_frequency",
                                                                     "ask_frequency")


# --- 15. the API token is not on a command line ---------------------------------------


def test_the_api_token_is_not_on_any_command_line(secure_bot: Bot) -> None:
    import os

    group = secure_bot.rasa.popen.pid
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == group:
                    lines.append((entry / "cmdline").read_bytes())
            except (OSError, ProcessLookupError):
                continue
    assert any(b"scripts.rasa_run" in line for line in lines)
    assert not any(secure_bot.token.encode() in line for line in lines)


# --- 16. socket.io origins -------------------------------------------------------------


def test_a_foreign_origin_cannot_open_the_chat_socket(bot: Bot, chat_port: int) -> None:
    foreign = chat_socket("https://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(bot.url, transports=["websocket"], socketio_path="/socket.io")
    allowed = chat_socket(f"http://127.0.0.1:{chat_port}")
    allowed.connect(bot.url, transports=["websocket"], socketio_path="/socket.io")
    assert allowed.connected
    allowed.eio.disconnect(abort=True)


def test_the_chat_socket_speaks_websocket_only(bot: Bot, chat_port: int) -> None:
    # long polling could spread one session over several Rasa workers
    polling = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        polling.connect(bot.url, transports=["polling"], socketio_path="/socket.io",
                        headers={"Origin": f"http://127.0.0.1:{chat_port}"})
    r = requests.get(f"{bot.url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                     headers={"Origin": f"http://127.0.0.1:{chat_port}"}, timeout=10)
    assert r.status_code == 400


def test_a_rating_of_the_answer_just_given_is_accepted(bot: Bot) -> None:
    who = new_id()
    rest(bot, {"sender": who, "message": "does foot massage help with sleep?"})
    rating = '/feedback{"rating": "down", "answer": "utter_ask_sleep"}'
    rest(bot, {"sender": who, "message": rating})
    last = user_events(bot, who)[-1]
    assert last["parse_data"]["intent"]["name"] == "feedback"
    assert {"entity": "rating", "value": "down"} in [
        {"entity": e["entity"], "value": e["value"]} for e in last["parse_data"]["entities"]]
