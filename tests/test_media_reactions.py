"""Messenger and WhatsApp as people really use them, through the real channels.

Signed webhook requests over HTTP to the running bot; the Graph API and
Twilio are the recording fake on loopback, so each test checks exactly what
was sent (or that nothing was). Reactions become ratings the console counts;
a send WhatsApp refuses (24-hour window), or one that Twilio or the Graph API
still refuses after retries, shows in the console transcript as "not
delivered"; the apology a channel sends itself shows there too.
"""
import contextlib
import html
import json
import re
import threading
import time
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from channels.render import CHANNEL_TEXTS, channel_text, media_reply, reaction_rating
from channels.signatures import hub_signature
from console import create_app
from console.privacy import pseudonym
from tests.console_support import CONSOLE_KEY, PASSWORD, flask_cli
from tests.fakes import FakeProvider
from tests.helpers import CHANNEL_SECRETS, UNSURE_CANDIDATES
from tests.support.servers import Bot
from tests.test_channels import cloud_body, post_meta, twilio_post

MESSENGER_SECRET = CHANNEL_SECRETS["MESSENGER_APP_SECRET"]
WHATSAPP_SECRET = CHANNEL_SECRETS["WHATSAPP_APP_SECRET"]
CLOUD_PATH = "/1234567890/messages"
MEDIA_EN = "I can only read text — please type your question, or call/WhatsApp the team:"
STICKER_EN = ("😊 Thank you! Ask me anything about massage, or type “book” to book a "
              "session.")
APOLOGY = "Sorry, I couldn't answer that just now"
QUIET_SECONDS = 2.0


# --- helpers -------------------------------------------------------------------


def psid() -> str:
    return f"psid-{uuid.uuid4().hex[:10]}"


def phone() -> str:
    return f"8497{uuid.uuid4().int % 10**7:07d}"


def messenger_event(sender: str, **event: Any) -> bytes:
    full = {"sender": {"id": sender}, "recipient": {"id": "page"},
            "timestamp": int(time.time() * 1000), **event}
    return json.dumps({"object": "page", "entry": [{"id": "page", "time": 1,
                                                    "messaging": [full]}]}).encode()


def post_messenger(bot: Bot, body: bytes) -> None:
    response = post_meta(bot, "messenger", body, hub_signature(MESSENGER_SECRET, body))
    assert response.status_code == 200, response.text


def post_cloud(bot: Bot, body: bytes) -> None:
    response = post_meta(bot, "whatsapp", body, hub_signature(WHATSAPP_SECRET, body))
    assert response.status_code == 200, response.text


def sent_json(provider: FakeProvider, path: str, since: int, sender: str,
              count: int) -> List[Dict[str, Any]]:
    """What reached the fake for ``sender``: wait for ``count``, then make sure no more come."""
    provider.wait_for(path, since, count=count, match=sender)
    time.sleep(QUIET_SECONDS)
    return [r.json() for r in provider.sent_to(path, since) if sender.encode() in r.body]


def cloud_sent(provider: FakeProvider, since: int, sender: str, message_id: str,
               count: int) -> List[Dict[str, Any]]:
    """Cloud API requests for ``sender``, and the read receipt of ``message_id``."""
    provider.wait_for(CLOUD_PATH, since, count=count, match=sender)
    provider.wait_for(CLOUD_PATH, since, count=1, match=message_id)
    time.sleep(QUIET_SECONDS)
    return [r.json() for r in provider.sent_to(CLOUD_PATH, since)
            if sender.encode() in r.body or message_id.encode() in r.body]


def events(bot: Bot, sender: str) -> List[Dict[str, Any]]:
    """A Messenger or WhatsApp conversation's events (provider ids are stored as they are)."""
    return bot.tracker(sender, prefix="")["events"]


def user_texts(bot: Bot, sender: str) -> List[str]:
    return [e["text"] for e in events(bot, sender) if e["event"] == "user"]


@contextlib.contextmanager
def console_on(db_url: str) -> Iterator[requests.Session]:
    """The staff console on the bot's own database, logged in."""
    name = f"staff{uuid.uuid4().hex[:6]}"
    made = flask_cli(db_url, "create-staff", name, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": CONSOLE_KEY,
                      "SESSION_COOKIE_SECURE": False})  # plain HTTP on loopback
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert session.post(f"{base}/login", data={"username": name, "password": PASSWORD,
                                               "csrf_token": token}).status_code == 200
    session.base = base  # type: ignore[attr-defined]
    try:
        yield session
    finally:
        server.shutdown()
        if "engine" in app.extensions:
            app.extensions["engine"].dispose()


def transcript_path(stored_id: str) -> str:
    """A conversation's transcript: the console links it by its pseudonym."""
    return f"/conversations/{pseudonym(stored_id, CONSOLE_KEY)}"


def page(session: requests.Session, path: str) -> str:
    return session.get(f"{session.base}{path}").text  # type: ignore[attr-defined]


def helpful_count(dashboard: str) -> tuple:
    found = re.search(r"(\d+) rated 👍 helpful, (\d+) rated 👎 not helpful", dashboard)
    assert found, dashboard
    return int(found.group(1)), int(found.group(2))


# --- texts ---------------------------------------------------------------------


def test_channel_texts_exist_in_every_language() -> None:
    for key, texts in CHANNEL_TEXTS.items():
        assert set(texts) == {"en", "vi", "ko", "zh"}, key
        assert len(set(texts.values())) == 4, key
    assert channel_text("media", "ko") == CHANNEL_TEXTS["media"]["ko"]
    assert channel_text("media", "fr") == MEDIA_EN


def test_the_media_reply_carries_the_contacts_in_the_visitor_language(responses: Any) -> None:
    reply = media_reply("voice", "vi", responses["utter_contacts"])
    assert reply.text == CHANNEL_TEXTS["media"]["vi"]
    assert {link.url for link in reply.links} >= {"tel:+84708185397",
                                                  "https://wa.me/84383967775"}


@pytest.mark.parametrize("emoji,rating", [("👍", "up"), ("❤️", "up"), ("😍", "up"), ("🙏", "up"),
                                          ("👍🏽", "up"), ("👎", "down"), ("😡", "down"),
                                          ("😂", None), ("", None)])
def test_reaction_ratings(emoji: str, rating: str | None) -> None:
    assert reaction_rating(emoji) == rating


# --- media on Messenger ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["image", "audio", "video", "file"])
def test_messenger_media_gets_one_polite_text_only_reply(
        bot: Bot, provider: FakeProvider, kind: str) -> None:
    sender, mark = psid(), provider.mark()
    attachment = {"type": kind, "payload": {"url": f"https://cdn.example/{kind}"}}
    post_messenger(bot, messenger_event(sender, message={
        "mid": f"m_{uuid.uuid4().hex}", "attachments": [attachment]}))
    sent = sent_json(provider, "/me/messages", mark, sender, count=4)
    actions = [s["sender_action"] for s in sent if "sender_action" in s]
    messages = [s["message"] for s in sent if "message" in s]
    assert actions == ["mark_seen", "typing_on"]
    assert [m.get("text") for m in messages] == [MEDIA_EN, None]
    buttons = messages[1]["attachment"]["payload"]["buttons"]
    assert [b.get("payload") or b.get("url") for b in buttons] == [
        "+84708185397", "https://wa.me/84383967775",
        "https://www.facebook.com/search/top?q=Panda%20Spa%20Da%20Nang"]
    assert all(APOLOGY not in json.dumps(s) for s in sent)
    assert user_texts(bot, sender) == []


def test_a_messenger_album_gets_one_reply(bot: Bot, provider: FakeProvider) -> None:
    sender, mark = psid(), provider.mark()
    for _ in range(3):
        post_messenger(bot, messenger_event(sender, message={
            "mid": f"m_{uuid.uuid4().hex}", "attachments": [{"type": "image", "payload": {}}]}))
    sent = sent_json(provider, "/me/messages", mark, sender, count=8)
    assert [s["message"].get("text") for s in sent if "message" in s].count(MEDIA_EN) == 1


@pytest.mark.parametrize("message", [
    {"sticker_id": 369239263222822, "attachments": [
        {"type": "image", "payload": {"url": "https://cdn.example/like", "sticker_id": 1}}]},
    {"text": "👍😊"},
], ids=["sticker", "emoji"])
def test_messenger_stickers_and_emoji_get_a_friendly_short_reply(
        bot: Bot, provider: FakeProvider, message: Dict[str, Any]) -> None:
    sender, mark = psid(), provider.mark()
    post_messenger(bot, messenger_event(sender, message={"mid": f"m_{uuid.uuid4().hex}",
                                                         **message}))
    sent = sent_json(provider, "/me/messages", mark, sender, count=3)
    assert [s["message"] for s in sent if "message" in s] == [{"text": STICKER_EN}]
    assert user_texts(bot, sender) == []


def test_messenger_text_is_marked_seen_with_typing_before_the_answer(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = psid(), provider.mark()
    post_messenger(bot, messenger_event(sender, message={
        "mid": f"m_{uuid.uuid4().hex}", "text": "how much is a foot massage?"}))
    sent = sent_json(provider, "/me/messages", mark, sender, count=4)
    assert [s.get("sender_action") for s in sent[:2]] == ["mark_seen", "typing_on"]
    assert sent[2]["message"]["text"].startswith("I don't have Panda Spa's current prices")


# --- media on WhatsApp -------------------------------------------------------------


@pytest.mark.parametrize("message", [
    {"type": "image", "image": {"id": "media1", "mime_type": "image/jpeg"}},
    {"type": "audio", "audio": {"id": "media2", "mime_type": "audio/ogg", "voice": True}},
    {"type": "video", "video": {"id": "media3", "mime_type": "video/mp4"}},
    {"type": "document", "document": {"id": "media4", "filename": "menu.pdf"}},
], ids=["image", "voice-note", "video", "document"])
def test_whatsapp_media_gets_one_polite_text_only_reply(
        bot: Bot, provider: FakeProvider, message: Dict[str, Any]) -> None:
    sender, mark = phone(), provider.mark()
    body = cloud_body(sender, message)
    message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    post_cloud(bot, body)
    sent = cloud_sent(provider, mark, sender, message_id, count=1)
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    assert read in sent
    replies = [s for s in sent if s != read]
    assert len(replies) == 1 and replies[0]["to"] == sender and replies[0]["type"] == "text"
    text = replies[0]["text"]["body"]
    assert text.startswith(MEDIA_EN)
    assert "Call Hotline 1: +84708185397" in text and "https://wa.me/84383967775" in text
    assert APOLOGY not in text
    assert user_texts(bot, sender) == []


def test_whatsapp_sticker_gets_a_friendly_short_reply(bot: Bot, provider: FakeProvider) -> None:
    sender, mark = phone(), provider.mark()
    body = cloud_body(sender, {"type": "sticker", "sticker": {"id": "s1", "animated": False}})
    message_id = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    post_cloud(bot, body)
    sent = cloud_sent(provider, mark, sender, message_id, count=1)
    assert sent.count({"messaging_product": "whatsapp", "status": "read",
                       "message_id": message_id}) == 1
    assert [s["text"]["body"] for s in sent if s.get("to") == sender] == [STICKER_EN]


def post_twilio_media(bot: Bot, sender: str) -> None:
    """A signed Twilio webhook request for a voice note without text."""
    url = f"{bot.url}/webhooks/twilio_whatsapp/webhook"
    form = {"From": sender, "To": "whatsapp:+84383967775", "Body": "", "NumMedia": "1",
            "MediaContentType0": "audio/ogg", "MediaUrl0": "https://api.twilio.com/media/1",
            "MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": "ACtest"}
    signature = RequestValidator(CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    assert requests.post(url, data=form, headers={"X-Twilio-Signature": signature},
                         timeout=30).status_code == 200


def test_twilio_whatsapp_media_without_text_gets_the_text_only_reply(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = f"whatsapp:+8496{uuid.uuid4().int % 10**7:07d}", provider.mark()
    post_twilio_media(bot, sender)
    provider.wait_for("/Messages.json", mark, match=sender.replace(":", "%3A").replace("+", "%2B"))
    time.sleep(QUIET_SECONDS)
    bodies = [r.form()["Body"] for r in provider.sent_to("/Messages.json", mark)
              if r.form().get("To") == sender]
    assert len(bodies) == 1 and bodies[0].startswith(MEDIA_EN)
    assert "+84708185397" in bodies[0] and APOLOGY not in bodies[0]
    assert user_texts(bot, sender) == []


# --- reactions -> ratings ------------------------------------------------------------


def answer_id(provider: FakeProvider, path: str, since: int, sender: str, text: str) -> str:
    """The id the fake gave the message that carried ``text``."""
    for record in provider.wait_for(path, since, match=text):
        if sender.encode() in record.body:
            return str(record.reply.get("message_id") if path == "/me/messages"
                       else record.reply["messages"][0]["id"])
    raise AssertionError(f"no message with {text!r} to {sender}")


def test_a_messenger_reaction_rates_the_answer_in_the_console(
        bot: Bot, provider: FakeProvider) -> None:
    assert bot.db is not None
    sender, mark = psid(), provider.mark()
    post_messenger(bot, messenger_event(sender, message={
        "mid": f"m_{uuid.uuid4().hex}", "text": "does foot massage help with sleep?"}))
    mid = answer_id(provider, "/me/messages", mark, sender, "minutes before bedtime")
    time.sleep(QUIET_SECONDS)
    with console_on(f"sqlite:///{bot.db}") as console:
        before = helpful_count(page(console, "/dashboard"))
        mark = provider.mark()
        post_messenger(bot, messenger_event(sender, reaction={
            "reaction": "love", "emoji": "❤️", "action": "react", "mid": mid}))
        assert sent_json(provider, "/me/messages", mark, sender, count=0) == []
        transcript = page(console, transcript_path(sender))
        assert "reacted ❤️ to the answer (👍 helpful)" in transcript
        assert '<span class="flag">👍 helpful</span>' in transcript
        assert helpful_count(page(console, "/dashboard")) == (before[0] + 1, before[1])

        post_messenger(bot, messenger_event(sender, reaction={
            "reaction": "love", "action": "unreact", "mid": mid}))
        assert sent_json(provider, "/me/messages", mark, sender, count=0) == []
        assert helpful_count(page(console, "/dashboard")) == before
        assert '<span class="flag">👍 helpful</span>' not in page(
            console, transcript_path(sender))


def test_whatsapp_reactions_rate_and_unrate_the_answer(bot: Bot, provider: FakeProvider) -> None:
    assert bot.db is not None
    sender, mark = phone(), provider.mark()
    post_cloud(bot, cloud_body(sender, {"type": "text",
                                        "text": {"body": "how much is a foot massage?"}}))
    wamid = answer_id(provider, CLOUD_PATH, mark, sender, "booking@pandaspa.vn")
    time.sleep(QUIET_SECONDS)
    with console_on(f"sqlite:///{bot.db}") as console:
        before = helpful_count(page(console, "/dashboard"))
        mark = provider.mark()
        for emoji in ("😂", "👎"):
            post_cloud(bot, cloud_body(sender, {"type": "reaction", "reaction": {
                "message_id": wamid, "emoji": emoji}}))
        time.sleep(QUIET_SECONDS)
        assert [r for r in provider.sent_to(CLOUD_PATH, mark)] == []
        assert helpful_count(page(console, "/dashboard")) == (before[0], before[1] + 1)
        assert '<span class="flag down">👎 not helpful</span>' in page(
            console, transcript_path(sender))
        post_cloud(bot, cloud_body(sender, {"type": "reaction", "reaction": {
            "message_id": wamid, "emoji": ""}}))
        time.sleep(QUIET_SECONDS)
        assert helpful_count(page(console, "/dashboard")) == before
    ratings = [e for e in events(bot, sender) if e["event"] == "user"
               and e["parse_data"]["intent"]["name"] == "feedback"]
    assert [[x["value"] for x in e["parse_data"]["entities"]] for e in ratings] == [
        ["down", "utter_contacts"], ["removed", "utter_contacts"]]
    assert [r for r in provider.sent_to(CLOUD_PATH, mark)] == []


def test_a_reaction_to_a_message_we_did_not_send_is_ignored(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = phone(), provider.mark()
    post_cloud(bot, cloud_body(sender, {"type": "reaction", "reaction": {
        "message_id": "wamid.unknown", "emoji": "👍"}}))
    time.sleep(QUIET_SECONDS)
    assert provider.sent_to(CLOUD_PATH, mark) == []
    assert [e for e in events(bot, sender) if e["event"] == "user"] == []


# --- sends that fail ----------------------------------------------------------------


def test_a_send_refused_by_the_24_hour_window_is_not_delivered_in_the_console(
        bot: Bot, provider: FakeProvider) -> None:
    assert bot.db is not None
    sender, mark = phone(), provider.mark()
    provider.fail_when(f'"to": "{sender}"', 400, {"error": {
        "message": "(#131047) Re-engagement message", "type": "OAuthException",
        "code": 131047, "error_data": {"details": "More than 24 hours have passed"}}})
    post_cloud(bot, cloud_body(sender, {"type": "text",
                                        "text": {"body": "how much is a foot massage?"}}))
    provider.wait_for(CLOUD_PATH, mark, count=2, match=sender)
    time.sleep(QUIET_SECONDS)
    refused = [r.body for r in provider.sent_to(CLOUD_PATH, mark) if sender.encode() in r.body]
    # two bot messages (no prices, the contacts), each tried once: a 400 is final
    assert len(refused) == len(set(refused)) == 2
    log = bot.rasa.log.read_text(errors="replace")
    assert "error 131047 (the 24-hour customer-service window is closed)" in log
    with console_on(f"sqlite:///{bot.db}") as console:
        transcript = page(console, transcript_path(sender))
    assert "not delivered (error 131047: WhatsApp's 24-hour window was closed)" in transcript


def test_a_send_that_fails_after_retries_is_not_delivered_in_the_console(
        bot: Bot, provider: FakeProvider) -> None:
    assert bot.db is not None
    sender, mark = psid(), provider.mark()
    provider.fail_when(f'"id": "{sender}"}}, "messaging_type"', 503, {"error": {
        "message": "Service temporarily unavailable", "code": 2}})
    post_messenger(bot, messenger_event(sender, message={
        "mid": f"m_{uuid.uuid4().hex}", "text": "how much is a foot massage?"}))
    provider.wait_for("/me/messages", mark, count=8, match=sender, timeout=30)
    time.sleep(QUIET_SECONDS)
    answers = [r.body for r in provider.sent_to("/me/messages", mark)
               if sender.encode() in r.body and b"messaging_type" in r.body]
    # two bot messages (no prices, the contacts), each tried once and retried twice
    assert len(answers) == 6 and sorted(set(answers) and [answers.count(a) for a in
                                                          set(answers)]) == [3, 3]
    with console_on(f"sqlite:///{bot.db}") as console:
        transcript = page(console, transcript_path(sender))
    assert "not delivered (error 2)" in transcript


def twilio_phone() -> str:
    return f"whatsapp:+8498{uuid.uuid4().int % 10**7:07d}"


def twilio_to(sender: str) -> str:
    """``To=<sender>`` as it appears in the form the bot posts to Twilio."""
    return "To=" + sender.replace(":", "%3A").replace("+", "%2B")


def bot_texts_and_notes(bot: Bot, sender: str) -> tuple:
    """The bot messages of a conversation, and the not-delivered notes on them."""
    bots = [e for e in events(bot, sender) if e["event"] == "bot"]
    return ([e for e in bots if e.get("text")],
            [e for e in bots if "not_delivered" in (e.get("metadata") or {})])


def wait_for_notes(bot: Bot, sender: str, timeout: float = 60) -> tuple:
    """Wait until every bot message of the conversation has its not-delivered note."""
    deadline = time.monotonic() + timeout
    texts, notes = bot_texts_and_notes(bot, sender)
    while time.monotonic() < deadline and not (texts and len(notes) == len(texts)):
        time.sleep(0.2)
        texts, notes = bot_texts_and_notes(bot, sender)
    return texts, notes


@pytest.mark.parametrize("status,code,attempts", [
    (503, 20500, 3),   # Twilio's internal error: transient, tried once and retried twice
    (429, 20429, 3),   # too many requests: transient too
    (400, 21211, 1),   # an invalid 'To' number: final, tried once
], ids=["5xx", "429", "400"])
def test_a_twilio_send_that_fails_is_retried_if_transient_and_not_delivered_in_the_console(
        bot: Bot, provider: FakeProvider, status: int, code: int, attempts: int) -> None:
    assert bot.db is not None
    sender, mark = twilio_phone(), provider.mark()
    provider.fail_when(twilio_to(sender), status, {
        "code": code, "message": f"Twilio error {code}", "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}"})
    response, _ = twilio_post(bot, sender, "how much is a foot massage?")
    assert response.status_code == 200
    texts, notes = wait_for_notes(bot, sender)
    assert len(texts) == 2 and len(notes) == 2  # no prices, then the contacts: both lost
    assert [n["metadata"]["not_delivered"]["error_code"] for n in notes] == [code, code]
    sent = [r for r in provider.sent_to("/Messages.json", mark) if r.form().get("To") == sender]
    bodies = [r.form()["Body"] for r in sent]
    assert len(set(bodies)) == 2 and all(bodies.count(b) == attempts for b in set(bodies))
    assert {r.status for r in sent} == {status}
    log = bot.rasa.log.read_text(errors="replace")
    assert (f"not delivered after {attempts} attempt(s): Twilio answered {status} "
            f"(error code {code})") in log
    with console_on(f"sqlite:///{bot.db}") as console:
        transcript = page(console, transcript_path(sender))
    assert transcript.count(f"not delivered (error {code})") == 2


def test_a_twilio_send_that_fails_once_is_retried_and_delivered(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = twilio_phone(), provider.mark()
    provider.fail_when(twilio_to(sender), 503, {"code": 20500, "message": "Internal Server Error",
                                                "status": 503}, times=1)
    twilio_post(bot, sender, "how much is a foot massage?")
    sent = provider.wait_for("/Messages.json", mark, count=3, match=twilio_to(sender))
    assert [r.status for r in sent] == [503, 200, 200]
    first, again, contacts = (r.form()["Body"] for r in sent)
    assert first == again and first.startswith("I don't have Panda Spa's current prices")
    assert "+84708185397" in contacts


# --- what the visitor saw, in the transcript --------------------------------------


def test_the_did_you_mean_turn_shows_its_suggestions_in_the_transcript(bot: Bot) -> None:
    assert bot.db is not None
    tag = uuid.uuid4().hex[:8]
    unsure = [t for t in UNSURE_CANDIDATES if bot.parse(t)["intent"]["name"] == "nlu_fallback"]
    assert unsure, "no vague question falls back with this model: add one to the candidates"
    asked = [(f"unsure-{tag}-{i}", bot.say(text, f"unsure-{tag}-{i}"))
             for i, text in enumerate(unsure)]
    offered = [(sender, reply) for sender, reply in asked
               if any("Did you mean" in m.get("text", "") for m in reply)]
    assert offered, f"no vague question got suggestions: {asked}"
    sender, reply = offered[0]
    suggested = [b["title"] for m in reply for b in m.get("buttons", [])]
    with console_on(f"sqlite:///{bot.db}") as console:
        transcript = page(console, transcript_path(f"rest:{sender}"))
    row = re.search(r'<td class="bot">(.*?)</td>', transcript, re.S).group(1)  # type: ignore[union-attr]
    assert "Did you mean one of these?" in row
    assert all(f"[{title}]" in row for title in suggested) and suggested


def transcript_rows(transcript: str) -> List[tuple]:
    """Each turn of a transcript page: (visitor cell, intent cell, bot cell), as text."""
    rows = []
    for row in re.findall(r'<tr class="turn">(.*?)</tr>', transcript, re.S):
        visitor = re.search(r'<td class="visitor">(.*?)</td>', row, re.S)
        bot_cell = re.search(r'<td class="bot">(.*?)</td>', row, re.S)
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert visitor and bot_cell and cells, row
        rows.append((html.unescape(visitor.group(1)).strip(), html.unescape(cells[1]).strip(),
                     html.unescape(re.sub(r"<[^>]+>", " ", bot_cell.group(1))).strip()))
    return rows


def send_media(bot: Bot, channel: str, sender: str) -> None:
    """A photo on Messenger, a sticker on WhatsApp Cloud, a voice note on Twilio."""
    if channel == "messenger":
        post_messenger(bot, messenger_event(sender, message={
            "mid": f"m_{uuid.uuid4().hex}",
            "attachments": [{"type": "image", "payload": {"url": "https://cdn.example/p"}}]}))
    elif channel == "whatsapp":
        post_cloud(bot, cloud_body(sender, {"type": "sticker", "sticker": {"id": "s1"}}))
    else:
        post_twilio_media(bot, sender)


def send_text(bot: Bot, channel: str, sender: str, text: str) -> None:
    if channel == "messenger":
        post_messenger(bot, messenger_event(sender, message={"mid": f"m_{uuid.uuid4().hex}",
                                                             "text": text}))
    elif channel == "whatsapp":
        post_cloud(bot, cloud_body(sender, {"type": "text", "text": {"body": text}}))
    else:
        assert twilio_post(bot, sender, text)[0].status_code == 200


CONTACT_BUTTONS = "[Call Hotline 1] [WhatsApp Hotline 2] [E-mail booking] [Messenger]"
MEDIA_SEEN = {"messenger": ("(sent a photo, voice note, video, file or location)", MEDIA_EN),
              "whatsapp": ("(sent a sticker)", STICKER_EN),
              "twilio_whatsapp": ("(sent a photo, voice note, video, file or location)",
                                  MEDIA_EN)}


@pytest.mark.parametrize("channel", ["messenger", "whatsapp", "twilio_whatsapp"])
def test_the_reply_to_media_is_stored_and_shown_in_the_transcript(
        bot: Bot, channel: str) -> None:
    assert bot.db is not None
    sender = {"messenger": psid, "whatsapp": phone, "twilio_whatsapp": twilio_phone}[channel]()
    seen, reply = MEDIA_SEEN[channel]
    send_media(bot, channel, sender)
    stored = events(bot, sender)
    kinds = [e["event"] for e in stored]
    replies = [e for e in stored if e["event"] == "bot"]
    assert len(replies) == 1 and replies[0]["text"] == reply
    assert replies[0]["metadata"]["sent_by"] == "channel"
    assert replies[0]["metadata"]["reply_to"]["channel"] == channel
    assert "session_started" in kinds[:kinds.index("bot")]  # a conversation it opened
    assert user_texts(bot, sender) == []  # the bot never saw the photo or sticker

    send_text(bot, channel, sender, "how much is a foot massage?")
    assert user_texts(bot, sender) == ["how much is a foot massage?"]
    with console_on(f"sqlite:///{bot.db}") as console:
        rows = transcript_rows(page(console, transcript_path(sender)))
    media_row, question_row = rows
    assert media_row[:2] == (seen, "—")
    assert media_row[2].startswith(reply)
    if reply == MEDIA_EN:
        assert CONTACT_BUTTONS in media_row[2]
    assert question_row[0] == "how much is a foot massage?"
    assert question_row[2].startswith("I don't have Panda Spa's current prices")


def test_a_reply_to_media_that_was_not_delivered_shows_so(
        bot: Bot, provider: FakeProvider) -> None:
    assert bot.db is not None
    sender = phone()
    provider.fail_when(f'"to": "{sender}"', 400, {"error": {
        "message": "(#131047) Re-engagement message", "code": 131047}})
    post_cloud(bot, cloud_body(sender, {"type": "image", "image": {"id": "media1"}}))
    notes = [e["metadata"]["not_delivered"] for e in events(bot, sender)
             if e["event"] == "bot" and "not_delivered" in (e.get("metadata") or {})]
    assert [n["error_code"] for n in notes] == [131047]
    with console_on(f"sqlite:///{bot.db}") as console:
        (row,) = transcript_rows(page(console, transcript_path(sender)))
    assert row[0] == "(sent a photo, voice note, video, file or location)"
    assert row[2].startswith(MEDIA_EN)
    assert "not delivered (error 131047: WhatsApp's 24-hour window was closed)" in row[2]


def test_the_apology_sent_without_the_action_server_is_in_the_transcript(
        bare_bot: Bot) -> None:
    assert bare_bot.db is not None
    sender = f"apology-{uuid.uuid4().hex[:8]}"
    reply = bare_bot.say("qwzx plorb vvv", sender)
    assert any(APOLOGY in m.get("text", "") for m in reply)
    with console_on(f"sqlite:///{bare_bot.db}") as console:
        transcript = page(console, transcript_path(f"rest:{sender}"))
    row = html.unescape(re.search(r'<td class="bot">(.*?)</td>', transcript,  # type: ignore[union-attr]
                                  re.S).group(1))
    assert APOLOGY in row and "You can reach Panda Spa on Hotline 1" in row
    assert "[Call Hotline 1] [WhatsApp Hotline 2] [E-mail booking] [Messenger]" in row
    assert '<span class="flag handoff">handoff</span>' in transcript
