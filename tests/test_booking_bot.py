"""Booking requests through the running bot: the form, refusals, the team's e-mail, the chat page.

A real SMTP server (aiosmtpd) on loopback receives the e-mails; it is stopped
for the outage test, and the request must wait in the outbox, not be lost.
"""
import email
import email.policy
import time
import uuid
from email.message import Message
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect, sync_playwright

from storage import bookings
from storage.pseudonyms import shown
from tests.fakes import FakeProvider
from tests.helpers import CHANNEL_SECRETS
from tests.support.servers import ROOT, Bot, free_port, start_bot
from tests.test_channels import twilio_post
from tests.test_webchat import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = ROOT / "tests" / "artifacts"
TEAM = "booking@pandaspa.vn"


class Inbox:
    """What the SMTP server received, in order."""

    def __init__(self) -> None:
        self.messages: List[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


class Smtp:
    """An SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 30) -> List[Message]:
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.inbox.messages


@pytest.fixture(scope="module")
def smtp() -> Iterator[Smtp]:
    server = Smtp(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def booking_bot(tmp_path_factory: pytest.TempPathFactory, smtp: Smtp,
                provider: FakeProvider) -> Iterator[Bot]:
    """The bot as `make run` starts it, mailing booking requests to the loopback server."""
    chat_port = free_port()
    running = start_bot(tmp_path_factory.mktemp("booking-bot"), extra_env={
        **CHANNEL_SECRETS, "TWILIO_API_URL": provider.url, "META_GRAPH_API_URL": provider.url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "WEB_PORT": str(chat_port),
        "WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{chat_port}"})
    yield running
    running.stop()


@pytest.fixture
def who() -> str:
    return f"booker-{uuid.uuid4().hex[:10]}"


def texts(reply: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in reply)


def rows(bot: Bot, sender: str) -> List[Dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{bot.db}")
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.select(bookings.requests).where(
                bookings.requests.c.sender_id == f"rest:{sender}"))
            return [dict(r._mapping) for r in found]
    finally:
        engine.dispose()


def wait_until(check: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


WHOLE = ["book 2 foot massages tomorrow at 7pm", "225", "Lan Nguyen", "+84 90 123 4567"]


def converse(bot: Bot, sender: str, messages: List[str]) -> List[Dict[str, Any]]:
    reply: List[Dict[str, Any]] = []
    for message in messages:
        reply = bot.say(message, sender)
    return reply


def test_a_one_line_request_asks_only_for_what_is_missing(booking_bot: Bot, who: str) -> None:
    reply = booking_bot.say("book 2 foot massages tomorrow at 7pm", who)
    assert texts(reply).startswith("Which Panda Spa would you like")


def test_a_whole_request_is_summarised_with_the_confirmation_rule_and_the_contacts(
        booking_bot: Bot, who: str) -> None:
    text = texts(converse(booking_bot, who, WHOLE))
    assert "- People: 2 people\n- Where: 225 Nguyen Van Thoai\n- Massage: foot massage" in text
    assert "They will confirm by phone. Your booking is not final until they do." in text
    assert "Hotline 1 (+84) 70 818 5397" in text


def test_a_whole_request_is_stored_new_with_its_conversation(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, WHOLE)
    stored = rows(booking_bot, who)
    assert [(r["status"], r["people"], r["location"], r["massage"], r["name"], r["contact"])
            for r in stored] == [("new", 2, "225", "foot", "Lan Nguyen", "+84901234567")]


def test_the_team_gets_the_request_by_email(booking_bot: Bot, smtp: Smtp, who: str) -> None:
    converse(booking_bot, who, WHOLE)
    alias = shown(f"rest:{who}")  # the e-mail names the conversation by its pseudonym
    assert wait_until(lambda: any(alias in m.get_content() for m in smtp.inbox.messages))
    mail = next(m for m in smtp.inbox.messages if alias in m.get_content())
    assert who not in mail.get_content()
    assert mail["X-Rcpt"] == TEAM and mail["Subject"].strip().startswith("Booking request #")
    assert "Name:      Lan Nguyen" in mail.get_content()
    assert wait_until(lambda: rows(booking_bot, who)[0]["sent_at"] is not None)


def test_an_smtp_outage_keeps_the_request_and_mails_it_after(booking_bot: Bot, smtp: Smtp) -> None:
    first, second = (f"outage-{uuid.uuid4().hex[:8]}" for _ in range(2))
    smtp.stop()
    try:
        converse(booking_bot, first, WHOLE)
        assert rows(booking_bot, first)[0]["status"] == "new"
        assert wait_until(lambda: rows(booking_bot, first)[0]["send_attempts"] >= 1)
        assert rows(booking_bot, first)[0]["sent_at"] is None
    finally:
        smtp.start()
    converse(booking_bot, second, WHOLE)
    assert wait_until(lambda: all(rows(booking_bot, s)[0]["sent_at"] for s in (first, second)))
    payloads = [m.get_content() for m in smtp.inbox.messages]
    assert all(any(shown(f"rest:{s}") in p for p in payloads) for s in (first, second))


@pytest.mark.parametrize("before, bad, reason, question", [
    ([], "yesterday at 5pm", "That time has already passed.", "What day and time"),
    ([], "in 200 days at 5pm", "up to 90 days ahead", "What day and time"),
    ([], "asdfgh qwerty", "couldn't read a day and time", "What day and time"),
    (["tomorrow 7pm"], "99 people", "more than 20 people", "How many people"),
    (["tomorrow 7pm", "2", "229", "foot"], "x" * 5000, "80 characters at most",
     "What name should"),
    (["tomorrow 7pm", "2", "229", "foot", "Lan"], "09O12345678", "phone number doesn't look",
     "Last question"),
])
def test_bad_answers_are_refused_with_a_reason_and_asked_again(
        booking_bot: Bot, who: str, before: List[str], bad: str, reason: str,
        question: str) -> None:
    converse(booking_bot, who, ["I want to book", *before])
    text = texts(booking_bot.say(bad, who))
    assert reason in text and text.index(reason) < text.index(question)


def test_changing_the_time_changes_the_request(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, WHOLE[:2])
    assert "changed that" in texts(booking_bot.say("change the time to 8pm", who))
    text = texts(converse(booking_bot, who, WHOLE[2:]))
    assert "- When: " in text and ", 20:00\n" in text


def test_correcting_the_number_of_people_changes_the_request(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, WHOLE[:2])
    booking_bot.say("actually 3 people", who)
    assert "- People: 3 people" in texts(converse(booking_bot, who, WHOLE[2:]))


def test_a_question_in_the_middle_is_answered_then_the_form_asks_again(
        booking_bot: Bot, who: str) -> None:
    booking_bot.say("I want to book", who)
    text = texts(booking_bot.say("does massage help with sleep?", who))
    assert "sleep" in text.split("\n")[0] and text.rstrip().endswith(
        "I can't see the spa's calendar, so the team will confirm.")


@pytest.mark.parametrize("word", ["cancel", "stop", "hủy", "huy", "취소"])
def test_cancel_stops_the_form_and_stores_nothing(booking_bot: Bot, who: str, word: str) -> None:
    converse(booking_bot, who, WHOLE[:2])
    booking_bot.say(word, who)
    assert rows(booking_bot, who) == []


def test_after_cancel_a_new_request_starts_from_scratch(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, [*WHOLE[:2], "cancel"])
    assert texts(booking_bot.say("I want to book", who)).startswith("What day and time")


@pytest.mark.parametrize("messages, question, summary", [
    (["đặt lịch tối nay", "2 người", "229", "massage chân", "Lan", "0901234567"],
     "Bạn đặt cho mấy người?", "Yêu cầu đặt lịch của bạn:\n- Thời gian: "),
    (["dat lich toi nay", "2 nguoi", "229", "massage chan", "Minh", "0901234567"],
     "Bạn đặt cho mấy người?", "- Số người: 2 người"),
    (["내일 저녁 7시 예약", "두 명", "225", "발 마사지", "김민수", "+84 90 123 4567"],
     "몇 분이 오시나요?", "예약 요청 내용입니다:\n- 일시: "),
])
def test_a_request_in_each_language_is_asked_and_summarised_in_it(
        booking_bot: Bot, who: str, messages: List[str], question: str, summary: str) -> None:
    assert texts(booking_bot.say(messages[0], who)).startswith(question)
    assert summary in texts(converse(booking_bot, who, messages[1:]))


def whatsapp(bot: Bot, provider: FakeProvider, sender: str, text: str) -> str:
    """Send one Twilio WhatsApp message; the body the bot sent back."""
    mark = provider.mark()
    response, _ = twilio_post(bot, sender, text)
    assert response.status_code == 200
    return "\n".join(r.form()["Body"] for r in provider.wait_for(
        "/Messages.json", mark) if r.form()["To"] == sender)


def test_on_whatsapp_choices_are_numbered_and_the_senders_number_is_offered(
        booking_bot: Bot, provider: FakeProvider) -> None:
    sender = f"whatsapp:+8490{uuid.uuid4().int % 10**7:07d}"
    menu = whatsapp(booking_bot, provider, sender, "book 2 foot massages tomorrow at 7pm")
    assert "3. Either is fine" in menu and "/inform_booking" not in menu
    whatsapp(booking_bot, provider, sender, "3")
    offer = whatsapp(booking_bot, provider, sender, "Lan")
    assert f"on WhatsApp at {sender[9:]}" in offer and "1. Use this number" in offer
    done = whatsapp(booking_bot, provider, sender, "1")
    assert "They will confirm on WhatsApp." in done
    engine = sa.create_engine(f"sqlite:///{booking_bot.db}")
    with engine.connect() as conn:
        row = conn.execute(sa.select(bookings.requests).where(
            bookings.requests.c.sender_id == sender)).one()
    engine.dispose()
    assert (row.location, row.contact, row.contact_method) == ("either", sender[9:], "whatsapp")


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 900, "height": 1200},
                                      locale="en-US")
        yield context.new_page()
        browser.close()


def test_the_form_on_the_chat_page(page: Page, booking_bot: Bot) -> None:
    assert booking_bot.web_url is not None
    page.goto(booking_bot.web_url)
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("welcome to Panda Spa", timeout=30_000)
    page.locator(".rw-reply", has_text="Book a session").last.click()
    expect(messages).to_contain_text("What day and time would you like?", timeout=20_000)
    for answer, next_question in [("tomorrow 7pm", "How many people"),
                                  (None, "Which Panda Spa"), (None, "Which kind of massage"),
                                  (None, "What name should"), ("Lan", "Last question")]:
        if answer:
            page.locator(".rw-new-message").fill(answer)
            page.keyboard.press("Enter")
        else:
            page.locator(".rw-reply").last.click()
        expect(messages).to_contain_text(next_question, timeout=20_000)
    page.locator(".rw-new-message").fill("lan@example.com")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("Your booking is not final until they do.", timeout=20_000)
    expect(page.locator("a.rw-reply", has_text="Call Hotline 1").last).to_have_attribute(
        "href", "tel:+84708185397")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booking-chat.png"), full_page=True)
    assert Path(ARTIFACTS / "booking-chat.png").stat().st_size > 10_000
