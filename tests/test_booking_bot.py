"""Booking requests through the running bot: the form, refusals, the team's e-mail, the chat page.

A real SMTP server (aiosmtpd) on loopback receives the e-mails; it is stopped
for the outage test, and the request must wait in the outbox, not be lost.
"""
import datetime as dt
import email
import email.policy
import re
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
    """The requests stored for ``sender`` (none while the table was never created)."""
    engine = sa.create_engine(f"sqlite:///{bot.db}")
    try:
        if not sa.inspect(engine).has_table(bookings.requests.name):
            return []
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


WHOLE = ["book 2 foot massages tomorrow at 7pm", "225", "Lan Nguyen", "+84 90 123 4567", "Send"]
BEFORE_SEND = WHOLE[:-1]


def converse(bot: Bot, sender: str, messages: List[str]) -> List[Dict[str, Any]]:
    reply: List[Dict[str, Any]] = []
    for message in messages:
        reply = bot.say(message, sender)
    return reply


def test_a_one_line_request_asks_only_for_what_is_missing(booking_bot: Bot, who: str) -> None:
    reply = booking_bot.say("book 2 foot massages tomorrow at 7pm", who)
    assert texts(reply).startswith("Which Panda Spa would you like")


def test_a_whole_request_is_summarised_with_send_change_and_cancel_and_nothing_is_stored(
        booking_bot: Bot, who: str) -> None:
    reply = converse(booking_bot, who, BEFORE_SEND)
    text = texts(reply)
    assert "- People: 2 people\n- Where: 225 Nguyen Van Thoai\n- Massage: foot massage" in text
    assert "Shall I send this to the team?" in text
    assert [b["title"] for m in reply for b in m.get("buttons") or []] == [
        "Send", "Change", "Cancel"]
    assert rows(booking_bot, who) == []


def test_send_passes_the_request_on_with_the_confirmation_rule_and_the_contacts(
        booking_bot: Bot, who: str) -> None:
    text = texts(converse(booking_bot, who, WHOLE))
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


def test_a_chinese_request_is_mailed_in_english_with_the_visitors_own_words(
        booking_bot: Bot, smtp: Smtp, who: str) -> None:
    converse(booking_bot, who, ["我想預約週六下午三點的足療", "我和我老婆", "229", "陳先生",
                                "+886 912 345 678", "確認發送"])
    alias = shown(f"rest:{who}")
    assert wait_until(lambda: any(alias in m.get_content() for m in smtp.inbox.messages))
    mail = next(m for m in smtp.inbox.messages if alias in m.get_content()).get_content()
    assert "Name:      陳先生" in mail  # as the visitor typed it, Traditional included
    assert "People:    2 people" in mail
    assert re.search(r"When:\s+Sat \d{1,2} \w{3} \d{4}, 15:00", mail), mail
    assert [(r["people"], r["location"], r["massage"], r["contact"], r["language"])
            for r in rows(booking_bot, who)] == [(2, "229", "foot", "+886912345678", "zh")]


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
    text = texts(converse(booking_bot, who, BEFORE_SEND[2:]))
    assert "- When: " in text and ", 20:00\n" in text


def test_correcting_the_number_of_people_changes_the_request(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, WHOLE[:2])
    booking_bot.say("actually 3 people", who)
    assert "- People: 3 people" in texts(converse(booking_bot, who, BEFORE_SEND[2:]))


def test_change_at_the_last_look_asks_which_part_then_that_question_only(
        booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, BEFORE_SEND)
    picker = booking_bot.say("Change", who)
    assert "Which part would you like to change?" in texts(picker)
    assert "Day and time" in [b["title"] for m in picker for b in m.get("buttons") or []]
    asked = texts(booking_bot.say('/inform_booking{"choice": "change_people"}', who))
    assert asked.startswith("How many people")
    again = texts(booking_bot.say("me and my wife and 2 kids", who))
    assert "- People: 4 people" in again and "Shall I send this" in again
    assert rows(booking_bot, who) == []
    booking_bot.say("yes, send it", who)
    assert [r["people"] for r in rows(booking_bot, who)] == [4]


def test_a_typed_change_at_the_last_look_changes_it_directly(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, BEFORE_SEND)
    text = texts(booking_bot.say("change the time to 8pm", who))
    assert "changed that" in text and ", 20:00\n" in text and "Shall I send this" in text


@pytest.mark.parametrize("words", ["never mind", "forget it, I'll call instead",
                                   "thôi, không đặt nữa", "그만할게요", "cancel"])
def test_leaving_stops_the_form_like_cancel(booking_bot: Bot, who: str, words: str) -> None:
    converse(booking_bot, who, WHOLE[:2])
    text = texts(booking_bot.say(words, who))
    assert any(s in text for s in ("stopped the booking request", "đã hủy yêu cầu",
                                   "예약 요청을 취소했어요")), text
    assert texts(booking_bot.say("I want to book", who)).startswith("What day and time")
    assert rows(booking_bot, who) == []


def test_leaving_at_the_last_look_stores_nothing(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, BEFORE_SEND)
    booking_bot.say("never mind", who)
    assert rows(booking_bot, who) == []


def test_thanks_during_the_form_is_not_an_answer(booking_bot: Bot, who: str) -> None:
    booking_bot.say("I want to book", who)
    text = texts(booking_bot.say("thanks!", who))
    assert "couldn't read a day" not in text
    assert text.startswith("You're welcome!") and "What day and time" in text
    converse(booking_bot, who, ["tomorrow 7pm", "2", "229", "foot"])
    named = texts(booking_bot.say("thanks", who))
    assert "What name should" in named
    assert "- Name: thanks" not in texts(converse(booking_bot, who, ["Lan", "0901234567"]))


def test_friday_3pm_is_not_three_people(booking_bot: Bot, who: str) -> None:
    booking_bot.say("I want to book", who)
    booking_bot.say("tomorrow", who)
    text = texts(booking_bot.say("7pm", who))
    assert text.startswith("How many people")
    assert "3 people" not in texts(booking_bot.say("friday 3pm", who))


def test_two_failed_tries_offer_a_way_out(booking_bot: Bot, who: str) -> None:
    converse(booking_bot, who, ["I want to book", "tomorrow 7pm"])
    first = booking_bot.say("lots and lots", who)
    assert "Talk to the team" not in [b["title"] for m in first for b in m.get("buttons") or []]
    second = booking_bot.say("hmm dunno really", who)
    titles = [b["title"] for m in second for b in m.get("buttons") or []]
    assert titles[:2] == ["1 person", "2 people"] and titles[-2:] == ["Talk to the team", "Cancel"]
    out = texts(booking_bot.say('/inform_booking{"choice": "handoff"}', who))
    assert "Hotline 1 (+84) 70 818 5397" in out and rows(booking_bot, who) == []


@pytest.mark.parametrize("message, question", [
    ("I'd like to book a foot massage for 2 tomorrow at 7pm", "Which Panda Spa would you like"),
    ("can we come in for 3 at 8pm tonight? body massage", "Which Panda Spa would you like"),
    ("đặt lịch 7h tối thứ 7 cho 2 người massage chân", "Bạn muốn đến cơ sở nào"),
    ("{korean_day} 오후 3시에 발마사지 2명 예약할게요", "어느 지점을 원하세요"),
])
def test_one_line_requests_as_people_type_them(booking_bot: Bot, who: str, message: str,
                                               question: str) -> None:
    day = dt.date.today() + dt.timedelta(days=20)
    text = texts(booking_bot.say(message.format(korean_day=f"{day.month}월 {day.day}일"), who))
    assert text.startswith(question), text


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


@pytest.mark.parametrize("messages, question, summary, send, sent", [
    (["đặt lịch tối nay", "2 người", "229", "massage chân", "Lan", "0901234567"],
     "Bạn đặt cho mấy người?", "Yêu cầu đặt lịch của bạn:\n- Thời gian: ", "gửi đi",
     "Nhân viên sẽ xác nhận qua điện thoại"),
    (["dat lich toi nay", "2 nguoi", "229", "massage chan", "Minh", "0901234567"],
     "Bạn đặt cho mấy người?", "- Số người: 2 người", "ok gui di",
     "Nhân viên sẽ xác nhận qua điện thoại"),
    (["내일 저녁 7시 예약", "두 명", "225", "발 마사지", "김민수", "+84 90 123 4567"],
     "몇 분이 오시나요?", "예약 요청 내용입니다:\n- 일시: ", "보내 주세요", "전화로 확인 연락"),
    (["我想预约明天晚上7点", "两个人", "225", "足疗", "王小明", "+86 138 1234 5678"],
     "请问几位？", "以下是您的预约申请：\n- 时间：", "发送", "会通过电话与您确认"),
    (["我想預約週六下午三點的足療", "我和我老婆", "229", "陳先生", "+886 912 345 678"],
     "請問幾位？", "以下是您的預約申請：\n- 時間：", "確認發送", "會通過電話與您確認"),
])
def test_a_request_in_each_language_is_asked_summarised_and_sent_in_it(
        booking_bot: Bot, who: str, messages: List[str], question: str, summary: str,
        send: str, sent: str) -> None:
    assert texts(booking_bot.say(messages[0], who)).startswith(question)
    assert summary in texts(converse(booking_bot, who, messages[1:]))
    assert rows(booking_bot, who) == []
    assert sent in texts(booking_bot.say(send, who))
    assert len(rows(booking_bot, who)) == 1


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
    last_look = whatsapp(booking_bot, provider, sender, "1")
    assert "Shall I send this to the team?" in last_look and "1. Send" in last_look
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
    expect(messages).to_contain_text("Shall I send this to the team?", timeout=20_000)
    page.locator(".rw-reply", has_text="Send").last.click()
    expect(messages).to_contain_text("Your booking is not final until they do.", timeout=20_000)
    expect(page.locator("a.rw-reply", has_text="Call Hotline 1").last).to_have_attribute(
        "href", "tel:+84708185397")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booking-chat.png"), full_page=True)
    assert Path(ARTIFACTS / "booking-chat.png").stat().st_size > 10_000


FORM_QUESTIONS = ("What day and time", "What time on", "How many people", "Which Panda Spa",
                  "Which kind of massage", "Just to be sure", "Bạn muốn đặt vào ngày",
                  "Bạn muốn đến lúc mấy giờ", "Bạn đặt cho mấy người", "Bạn muốn đến cơ sở nào",
                  "Bạn muốn massage chân", "원하시는 날짜와 시간", "몇 시가 좋으세요",
                  "몇 분이 오시나요", "어느 지점을 원하세요", "어떤 마사지를 원하세요")


@pytest.mark.parametrize("wish", [
    "can we come in on friday afternoon?", "could we come in tomorrow evening for a massage?",
    "could two of us come in on saturday?", "do you have a free slot for 3 people on sunday?",
    "can i get an appointment tomorrow afternoon?", "cho mình đặt lịch chiều mai nhé",
    "có thể đặt lịch cho 3 người chiều mai không?", "내일 오후에 두 명 예약돼요?",
    "cho em đặt 1 suất massage chân", "mình muốn đặt lịch massage cho 2 người",
    "발 마사지 받고 싶어요", "내일 전신 마사지 받고 싶어요", "토요일에 예약 가능할까요?"])
def test_a_wish_to_book_asked_as_a_question_starts_the_form(booking_bot: Bot, who: str,
                                                            wish: str) -> None:
    text = texts(booking_bot.say(wish, who))
    assert any(q in text for q in FORM_QUESTIONS), text


def _ahead(days: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)


@pytest.mark.parametrize("answer", [
    "thứ 7 lúc 3h chiều", "T7 3h chiều", "CN 10h sáng", "7h tối thứ 7",
    "ngày {vi_day} tháng {vi_month} lúc 5h chiều", "{ko_month}월 {ko_day}일 오후 3시", "tối nay",
    "내일 저녁", "토요일 오후 3시", "this weekend at 3pm"])
def test_vietnamese_and_korean_days_are_read_or_asked_never_refused(
        booking_bot: Bot, who: str, answer: str) -> None:
    day = _ahead(10)
    booking_bot.say("I want to book", who)
    text = texts(booking_bot.say(answer.format(vi_day=day.day, vi_month=day.month,
                                               ko_month=day.month, ko_day=day.day), who))
    assert any(q in text for q in ("How many people", "Bạn đặt cho mấy người", "몇 분이 오시나요",
                                   "Just to be sure", "Để mình ghi đúng ngày",
                                   "날짜를 정확히")), text
    assert "passed" not in text and "đã qua" not in text and "지났어요" not in text


@pytest.mark.parametrize("answer", ["me and my wife", "2 pax", "party of 4", "혼자", "một mình",
                                    "둘이", "2 adults and a child"])
def test_people_as_they_say_it_answer_the_people_question(booking_bot: Bot, who: str,
                                                          answer: str) -> None:
    converse(booking_bot, who, ["I want to book", "tomorrow 7pm"])
    text = texts(booking_bot.say(answer, who))
    assert any(q in text for q in ("Which Panda Spa", "Bạn muốn đến cơ sở nào",
                                   "어느 지점을 원하세요")), text
