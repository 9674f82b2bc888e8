"""Messenger, WhatsApp (Twilio) and WhatsApp (Cloud API) over real HTTP on loopback.

Signed requests are answered, and the reply reaches the fake provider API;
unsigned, wrongly signed and replayed requests get 403 and store nothing.
"""
import json
import time
import uuid
from typing import Any, Dict, Tuple

import pytest
import requests
from twilio.request_validator import RequestValidator

from channels.signatures import hub_signature
from language.variants import variant_for
from tests.fakes import FakeProvider
from tests.helpers import CHANNEL_SECRETS
from tests.support.servers import Bot

MESSENGER_SECRET = CHANNEL_SECRETS["MESSENGER_APP_SECRET"]
WHATSAPP_SECRET = CHANNEL_SECRETS["WHATSAPP_APP_SECRET"]
TWILIO_TOKEN = CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]


def user_turns(bot: Bot, sender: str) -> list:
    return [e["text"] for e in bot.tracker(sender, prefix="")["events"] if e["event"] == "user"]


# --- Messenger ---------------------------------------------------------------


def messenger_body(sender: str, text: str = "", payload: str = "") -> bytes:
    message: Dict = {"mid": f"m_{uuid.uuid4().hex}"}
    if payload:
        message.update(text="(button)", quick_reply={"payload": payload})
    else:
        message["text"] = text
    event = {"sender": {"id": sender}, "recipient": {"id": "page"},
             "timestamp": int(time.time() * 1000), "message": message}
    return json.dumps({"object": "page", "entry": [{"id": "page", "time": 1,
                                                    "messaging": [event]}]}).encode()


def post_meta(bot: Bot, channel: str, body: bytes, signature: str = "") -> requests.Response:
    """POST a Meta webhook body (Messenger or WhatsApp Cloud), signed if a signature is given."""
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Hub-Signature-256"] = signature
    return requests.post(f"{bot.url}/webhooks/{channel}/webhook", data=body, headers=headers,
                         timeout=30)


def post_messenger(bot: Bot, body: bytes, signature: str = "") -> requests.Response:
    return post_meta(bot, "messenger", body, signature)


@pytest.mark.parametrize("channel,token", [("messenger", "MESSENGER_VERIFY_TOKEN"),
                                           ("whatsapp", "WHATSAPP_VERIFY_TOKEN")])
def test_meta_verify_handshake(bot: Bot, channel: str, token: str) -> None:
    url = f"{bot.url}/webhooks/{channel}/webhook"
    ok = requests.get(url, params={"hub.mode": "subscribe", "hub.challenge": "12345",
                                   "hub.verify_token": CHANNEL_SECRETS[token]})
    assert (ok.status_code, ok.text) == (200, "12345")
    wrong = requests.get(url, params={"hub.mode": "subscribe", "hub.challenge": "1",
                                      "hub.verify_token": "guess"})
    assert wrong.status_code == 403


def test_signed_messenger_message_is_answered_through_the_send_api(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = f"psid-{uuid.uuid4().hex[:8]}", provider.mark()
    body = messenger_body(sender, "does foot massage help with sleep?")
    response = post_messenger(bot, body, hub_signature(MESSENGER_SECRET, body))
    assert response.status_code == 200
    sent = [r.json() for r in provider.wait_for("/me/messages", mark, count=3, match=sender)
            if b'"message"' in r.body]  # not mark_seen / typing_on
    assert all(r["recipient"]["id"] == sender for r in sent)
    texts = " ".join(r["message"].get("text", "") for r in sent)
    assert "30–60 minutes before bedtime" in texts
    assert "Source: Panda Spa's guide" in texts
    quick = [q for r in sent for q in r["message"].get("quick_replies", [])]
    assert {"/ask_best_time", "/ask_frequency", "/book"} <= {q["payload"] for q in quick}
    assert {"👍", "👎"} <= {q["title"] for q in quick}
    assert '/feedback{"rating": "down", "answer": "utter_ask_sleep"}' in {
        q["payload"] for q in quick}
    assert all("Bearer messenger-page-token-test" == r.headers["Authorization"]
               for r in provider.wait_for("/me/messages", mark, match=sender))
    assert user_turns(bot, sender) == ["does foot massage help with sleep?"]


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc"])
def test_messenger_refuses_unsigned_and_forged_requests(bot: Bot, signature: str) -> None:
    sender = f"forger-{uuid.uuid4().hex[:8]}"
    body = messenger_body(sender, "I want to book")
    response = post_messenger(bot, body, signature)
    assert response.status_code == 403
    assert "signature" in response.json()["reason"].lower()
    assert user_turns(bot, sender) == []


def test_messenger_refuses_a_signature_made_with_another_secret(bot: Bot) -> None:
    sender = f"forger-{uuid.uuid4().hex[:8]}"
    body = messenger_body(sender, "hello")
    assert post_messenger(bot, body, hub_signature("not-the-secret", body)).status_code == 403
    assert user_turns(bot, sender) == []


def test_messenger_refuses_a_replayed_request(bot: Bot, provider: FakeProvider) -> None:
    sender = f"psid-{uuid.uuid4().hex[:8]}"
    body = messenger_body(sender, "hello")
    signature = hub_signature(MESSENGER_SECRET, body)
    assert post_messenger(bot, body, signature).status_code == 200
    replay = post_messenger(bot, body, signature)
    assert replay.status_code == 403
    assert user_turns(bot, sender) == ["hello"]


# --- WhatsApp through Twilio --------------------------------------------------


def twilio_post(bot: Bot, sender: str, text: str, sign: bool = True,
                token: str = TWILIO_TOKEN, sid: str = "") -> Tuple[requests.Response, Dict]:
    url = f"{bot.url}/webhooks/twilio_whatsapp/webhook"
    form = {"From": sender, "To": "whatsapp:+84383967775", "Body": text,
            "MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": "ACtest"}
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, form)
    return requests.post(url, data=form, headers=headers, timeout=30), form


def test_signed_twilio_message_gets_a_numbered_menu_without_payloads(
        bot: Bot, provider: FakeProvider, responses: Dict[str, Any]) -> None:
    sender, mark = f"whatsapp:+8490{uuid.uuid4().int % 10**7:07d}", provider.mark()
    response, _ = twilio_post(bot, sender, "does foot massage help with sleep?")
    assert response.status_code == 200 and "<Response>" in response.text
    (sent,) = provider.wait_for("/Messages.json", mark, match="30")[:1]
    form = sent.form()
    assert form["To"] == sender and form["From"] == "whatsapp:+84383967775"
    answer = variant_for(responses["utter_ask_sleep"], {"language": "en", "massage_type": "foot"})
    assert answer is not None
    titles = [b["title"] for b in answer["buttons"]] + ["👍", "👎"]
    menu = "\n".join(f"{number}. {title}" for number, title in enumerate(titles, start=1))
    assert menu in form["Body"]
    assert "/ask_" not in form["Body"] and "/book" not in form["Body"]
    assert "/feedback" not in form["Body"]
    assert "Source: Panda Spa's guide" in form["Body"]
    account = CHANNEL_SECRETS["TWILIO_ACCOUNT_SID"]
    assert sent.path == f"/2010-04-01/Accounts/{account}/Messages.json"

    # "2" is the second button; here it asks how often to come
    assert answer["buttons"][1]["payload"] == "/ask_frequency"
    mark = provider.mark()
    twilio_post(bot, sender, "2")
    sent_after = provider.wait_for("/Messages.json", mark, match="2%E2%80%933")
    bodies = [r.form()["Body"] for r in sent_after]
    assert any("2–3 sessions a week" in b for b in bodies)
    assert user_turns(bot, sender)[-1] == "/ask_frequency"


@pytest.mark.parametrize("how", ["unsigned", "wrong-token"])
def test_twilio_refuses_unsigned_and_forged_requests(bot: Bot, how: str) -> None:
    sender = f"whatsapp:+8491{uuid.uuid4().int % 10**7:07d}"
    response, _ = twilio_post(bot, sender, "hello", sign=how != "unsigned",
                              token="not-the-token")
    assert response.status_code == 403
    assert user_turns(bot, sender) == []


def test_twilio_refuses_a_replayed_request(bot: Bot) -> None:
    sender = f"whatsapp:+8492{uuid.uuid4().int % 10**7:07d}"
    sid = f"SM{uuid.uuid4().hex}"
    first, _ = twilio_post(bot, sender, "hello", sid=sid)
    again, _ = twilio_post(bot, sender, "hello", sid=sid)
    assert (first.status_code, again.status_code) == (200, 403)
    assert user_turns(bot, sender) == ["hello"]


# --- WhatsApp Cloud API -------------------------------------------------------


def cloud_body(sender: str, message: Dict) -> bytes:
    message = {"from": sender, "id": f"wamid.{uuid.uuid4().hex}",
               "timestamp": str(int(time.time())), **message}
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "1234567890"},
             "messages": [message]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "waba", "changes": [{"field": "messages",
                                                             "value": value}]}]}).encode()


def post_cloud(bot: Bot, body: bytes, signature: str = "") -> requests.Response:
    return post_meta(bot, "whatsapp", body, signature)


def test_signed_cloud_message_is_answered_with_reply_buttons(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = f"8493{uuid.uuid4().int % 10**7:07d}", provider.mark()
    question = "does foot massage help with sleep?"
    body = cloud_body(sender, {"type": "text", "text": {"body": question}})
    assert post_cloud(bot, body, hub_signature(WHATSAPP_SECRET, body)).status_code == 200
    sent = [r for r in provider.wait_for("/1234567890/messages", mark, match=sender)
            if b'"status": "read"' not in r.body]
    interactive = [r.json() for r in sent if r.json()["type"] == "interactive"]
    assert interactive, [r.json() for r in sent]
    message = interactive[0]["interactive"]
    assert "30–60 minutes" in message["body"]["text"]
    # three related questions and 👍 / 👎: more than 3 buttons, so a list
    assert message["type"] == "list"
    rows = message["action"]["sections"][0]["rows"]
    assert 3 < len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
    assert {"/ask_best_time", "/ask_frequency", "/book"} <= {r["id"] for r in rows}
    assert sent[0].headers["Authorization"] == "Bearer whatsapp-access-test"

    mark = provider.mark()
    tap = cloud_body(sender, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "/ask_frequency", "title": "How often"}}})
    assert post_cloud(bot, tap, hub_signature(WHATSAPP_SECRET, tap)).status_code == 200
    texts = json.dumps([r.json() for r in provider.wait_for("/messages", mark, match=sender)],
                       ensure_ascii=False)
    assert "2–3 sessions a week" in texts


@pytest.mark.parametrize("signature", ["", "sha256=deadbeef"])
def test_whatsapp_cloud_refuses_unsigned_and_forged_requests(bot: Bot, signature: str) -> None:
    sender = f"8494{uuid.uuid4().int % 10**7:07d}"
    body = cloud_body(sender, {"type": "text", "text": {"body": "hello"}})
    assert post_cloud(bot, body, signature).status_code == 403
    assert user_turns(bot, sender) == []


def test_whatsapp_cloud_refuses_a_replayed_request(bot: Bot) -> None:
    sender = f"8495{uuid.uuid4().int % 10**7:07d}"
    body = cloud_body(sender, {"type": "text", "text": {"body": "hello"}})
    signature = hub_signature(WHATSAPP_SECRET, body)
    assert post_cloud(bot, body, signature).status_code == 200
    assert post_cloud(bot, body, signature).status_code == 403
    assert user_turns(bot, sender) == ["hello"]


def test_messenger_sender_over_the_rate_limit_is_asked_to_slow_down(
        bot: Bot, provider: FakeProvider) -> None:
    sender = f"psid-{uuid.uuid4().hex[:8]}"
    for _ in range(30):
        body = messenger_body(sender, "hi")
        assert post_messenger(bot, body, hub_signature(MESSENGER_SECRET, body)).status_code == 200
    mark = provider.mark()
    body = messenger_body(sender, "hi again")
    assert post_messenger(bot, body, hub_signature(MESSENGER_SECRET, body)).status_code == 200
    (sent,) = [r for r in provider.wait_for("/me/messages", mark, count=3, match=sender)
               if b'"message"' in r.body]  # not mark_seen / typing_on
    assert "faster than I can answer" in sent.json()["message"]["text"]
    assert "hi again" not in user_turns(bot, sender)
