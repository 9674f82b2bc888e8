"""Booking requests, the pure part: free text in en/vi/ko, refusals, corrections, rendering."""
import datetime as dt

import pytest

from booking import dialogue, fields, summary, when
from booking.mailer import settings_from_url

# Sunday 22 November 2026, 10:00 in Da Nang
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=when.TZ)


@pytest.mark.parametrize("text, value", [
    ("tomorrow 7pm", "2026-11-23 19:00"),
    ("tomorrow at 7 in the evening", "2026-11-23 19:00"),
    ("at 10 tomorrow", "2026-11-23 10:00"),
    ("Nov 28 at 6:30pm", "2026-11-28 18:30"),
    ("28/11 18:00", "2026-11-28 18:00"),
    ("next friday 3pm", "2026-11-27 15:00"),
    ("tonight", "2026-11-22 evening"),
    ("tối nay", "2026-11-22 evening"),
    ("toi nay", "2026-11-22 evening"),
    ("ngày mai 19h", "2026-11-23 19:00"),
    ("ngay mai 7 gio toi", "2026-11-23 19:00"),
    ("thứ bảy 3 giờ chiều", "2026-11-28 15:00"),
    ("내일 저녁 7시", "2026-11-23 19:00"),
    ("오늘 저녁", "2026-11-22 evening"),
    ("토요일 오후 3시", "2026-11-28 15:00"),
])
def test_a_day_and_time_is_read_in_each_language(text: str, value: str) -> None:
    parsed = when.parse(text, NOW)
    assert isinstance(parsed, when.When) and parsed.value == value


@pytest.mark.parametrize("text, reason", [
    ("yesterday 5pm", "past"), ("hôm qua 5 giờ chiều", "past"), ("어제 저녁 7시", "past"),
    ("today 9am", "past"), ("20/11/2026 5pm", "past"),
    ("in 91 days at 5pm", "too_far"), ("March 30 5pm", "too_far"),
])
def test_past_and_far_times_are_refused(text: str, reason: str) -> None:
    parsed = when.parse(text, NOW)
    assert isinstance(parsed, when.When) and when.problem(parsed, NOW) == reason


def test_a_time_90_days_ahead_is_accepted() -> None:
    parsed = when.parse("in 90 days at 5pm", NOW)
    assert isinstance(parsed, when.When) and when.problem(parsed, NOW) is None


@pytest.mark.parametrize("text", ["asdfgh", "does it help sleep?", "🙂", "x" * 5000])
def test_no_day_or_time_is_read_from_other_text(text: str) -> None:
    assert when.parse(text, NOW) is None


def test_a_day_without_a_time_asks_for_the_time() -> None:
    assert when.parse("tomorrow", NOW) == "no_time"


@pytest.mark.parametrize("text, count", [
    ("2", 2), ("2 people", 2), ("just me", 1), ("hai người", 2), ("3 nguoi", 3), ("두 명", 2),
    ("20", 20)])
def test_people_are_counted(text: str, count: int) -> None:
    assert fields.parse_people(text, requested=True) == count


@pytest.mark.parametrize("text, reason", [
    ("99 people", "too_many"), ("21", "too_many"), ("0", "unclear"), ("lots", "unclear")])
def test_bad_people_counts_are_refused(text: str, reason: str) -> None:
    assert fields.parse_people(text, requested=True) == fields.Invalid(reason)


@pytest.mark.parametrize("text, location", [
    ("229", "229"), ("225 Nguyen Van Thoai", "225"), ("either", "either"),
    ("đâu cũng được", "either"), ("dau cung duoc", "either"), ("어디든 괜찮아요", "either")])
def test_the_location_is_read(text: str, location: str) -> None:
    assert fields.parse_location(text, requested=True) == location


@pytest.mark.parametrize("text, kind", [
    ("foot massage", "foot"), ("massage chân", "foot"), ("massage chan", "foot"),
    ("발 마사지", "foot"), ("body", "body"), ("전신 마사지", "body"), ("not sure yet", "unsure"),
    ("chưa chắc", "unsure"), ("아직 모르겠어요", "unsure")])
def test_the_kind_of_massage_is_read(text: str, kind: str) -> None:
    assert fields.parse_massage(text, requested=True) == kind


@pytest.mark.parametrize("text, name", [
    ("Lan", "Lan"), ("My name is Lan Nguyen", "Lan Nguyen"), ("tôi tên là Lan", "Lan"),
    ("김민수입니다", "김민수"), ("Mai", "Mai")])
def test_names_are_read(text: str, name: str) -> None:
    assert fields.parse_name(text) == name


@pytest.mark.parametrize("text, reason", [
    ("x" * 5000, "too_long"), ("a" * 81, "too_long"), ("12345", "unclear"),
    ("<script>", "unclear")])
def test_bad_names_are_refused(text: str, reason: str) -> None:
    assert fields.parse_name(text) == fields.Invalid(reason)


def test_a_name_of_80_characters_is_kept() -> None:
    assert fields.parse_name("a" * 80) == "a" * 80


@pytest.mark.parametrize("text, contact", [
    ("+84 90 123 4567", fields.Contact("+84901234567", "phone")),
    ("090 123 4567", fields.Contact("+84901234567", "phone")),
    ("Lan.Nguyen@example.com", fields.Contact("lan.nguyen@example.com", "email"))])
def test_contacts_are_normalised(text: str, contact: fields.Contact) -> None:
    assert fields.parse_contact(text) == contact


@pytest.mark.parametrize("text, reason", [
    ("09O1234567", "bad_phone"), ("+84 90 abc 4567", "bad_phone"), ("lan@", "bad_email"),
    ("call me", "unclear")])
def test_bad_contacts_are_refused(text: str, reason: str) -> None:
    assert fields.parse_contact(text) == fields.Invalid(reason)


@pytest.mark.parametrize("channel, sender, number", [
    ("twilio_whatsapp", "whatsapp:+84901234567", "+84901234567"),
    ("whatsapp", "84901234567", "+84901234567"),
    ("messenger", "4012345678901", None), ("rest", "+84901234567", None)])
def test_the_senders_number_is_known_only_on_whatsapp(channel: str, sender: str,
                                                      number: str | None) -> None:
    assert dialogue.whatsapp_number(channel, sender) == number


def test_the_senders_own_number_confirms_on_whatsapp() -> None:
    assert fields.parse_contact("+84901234567", "+84901234567").method == "whatsapp"


def read(text: str, requested: str | None, slots: dict | None = None,
         intent: str = "inform_booking", confidence: float = 0.95) -> dialogue.Reading:
    return dialogue.read_message(text, intent, confidence, requested, slots or {}, NOW)


def test_a_one_line_request_fills_every_field_it_names() -> None:
    assert read("book 2 foot massages tomorrow at 7pm", None, intent="book").slots == {
        dialogue.TIME: "2026-11-23 19:00", dialogue.PEOPLE: 2, dialogue.MASSAGE: "foot"}


@pytest.mark.parametrize("text", ["cancel", "stop", "hủy", "huy", "취소", "Cancel the booking"])
def test_cancel_fills_nothing_and_leaves(text: str) -> None:
    reading = read(text, dialogue.PEOPLE, intent="cancel_booking")
    assert reading.leave and not reading.slots
    assert reading.responses == [("utter_booking_cancelled", {})]


def test_a_question_in_the_middle_fills_nothing() -> None:
    assert read("does it help sleep?", dialogue.PEOPLE, intent="ask_sleep").empty


def test_a_short_answer_to_the_name_question_is_a_name_even_if_misread() -> None:
    assert read("Mai", dialogue.NAME, intent="ask_location", confidence=0.7).slots == {
        dialogue.NAME: "Mai"}


def test_changing_the_time_keeps_the_day_and_asks_the_open_question_again() -> None:
    reading = read("change the time to 8pm", dialogue.NAME,
                   {dialogue.TIME: "2026-11-23 19:00", dialogue.PEOPLE: 2})
    assert reading.slots == {dialogue.TIME: "2026-11-23 20:00", dialogue.NAME: None}


def test_a_correction_is_acknowledged() -> None:
    reading = read("actually 3 people", dialogue.NAME,
                   {dialogue.TIME: "2026-11-23 19:00", dialogue.PEOPLE: 2})
    assert reading.slots[dialogue.PEOPLE] == 3
    assert reading.responses == [("utter_booking_updated", {})]


def test_a_refused_correction_keeps_the_earlier_answer() -> None:
    reading = read("actually 99 people", dialogue.LOCATION, {dialogue.PEOPLE: 2})
    assert dialogue.PEOPLE not in reading.slots
    assert reading.responses == [("utter_booking_invalid_people_too_many", {})]


@pytest.mark.parametrize("text, requested, response", [
    ("yesterday 5pm", dialogue.TIME, "utter_booking_invalid_time_past"),
    ("in 120 days at 5pm", dialogue.TIME, "utter_booking_invalid_time_too_far"),
    ("asdfgh", dialogue.TIME, "utter_booking_invalid_time_unclear"),
    ("99 people", dialogue.PEOPLE, "utter_booking_invalid_people_too_many"),
    ("x" * 5000, dialogue.NAME, "utter_booking_invalid_name_too_long"),
    ("09O1234567", dialogue.CONTACT, "utter_booking_invalid_contact_bad_phone"),
])
def test_each_bad_answer_gets_its_reason_and_is_asked_again(text: str, requested: str,
                                                            response: str) -> None:
    reading = read(text, requested)
    assert {k: v for k, v in reading.slots.items() if k != dialogue.NOTES} == {requested: None}
    assert [r[0] for r in reading.responses if isinstance(r, tuple)] == [response]
    assert reading.slots[dialogue.NOTES]["tries"] == {requested: 1}


def test_every_refusal_has_a_response_in_every_language(responses: dict) -> None:
    names = {name for name in responses if name.startswith(("utter_booking", "utter_ask_booking"))}
    assert len(names) >= 25
    for name in names:
        languages = {c["value"] for v in responses[name] for c in v.get("condition") or []
                     if c["name"] == "language"}
        assert languages == {"vi", "ko", "zh"} and any(
            not v.get("condition") for v in responses[name])


def test_button_titles_fit_every_channel(responses: dict) -> None:
    titles = [b["title"] for name, variants in responses.items() if "booking" in name
              for v in variants for b in v.get("buttons") or []]
    assert titles and max(len(t) for t in titles) <= 20


@pytest.mark.parametrize("language, text", [
    ("en", "Mon 23 Nov 2026, 19:00"), ("vi", "Thứ Hai 23/11/2026, 19:00"),
    ("ko", "2026년 11월 23일 (월) 19:00")])
def test_the_summary_writes_the_time_in_the_visitors_language(language: str, text: str) -> None:
    assert summary.when_text("2026-11-23 19:00", language) == text


def test_the_team_email_names_everything_and_promises_nothing() -> None:
    body = summary.email_body({
        "id": 7, "sender_id": "web-123", "channel": "socketio", "language": "vi",
        "created_at": dt.datetime(2026, 11, 22, 3, 0), "requested_time": "2026-11-22 evening",
        "people": 2, "location": "either", "massage": "unsure", "name": "Lan",
        "contact": "+84901234567", "contact_method": "whatsapp"}, "https://console.example")
    assert "Nothing is confirmed yet" in body and "on WhatsApp" in body
    assert "https://console.example/conversations/web-123" in body
    assert "Sun 22 Nov 2026, evening" in body and "either location" in body


@pytest.mark.parametrize("url, expected", [
    ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, None, None, False, False)),
    ("smtp://u%40x:p%3Aw@mail.example:587?starttls=true",
     ("mail.example", 587, "u@x", "p:w", True, False)),
    ("smtps://mail.example", ("mail.example", 465, None, None, False, True))])
def test_smtp_url_is_read(url: str, expected: tuple) -> None:
    s = settings_from_url(url)
    assert (s.host, s.port, s.username, s.password, s.starttls, s.tls) == expected


@pytest.mark.parametrize("url", ["", "http://mail.example", "smtp://"])
def test_a_bad_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        settings_from_url(url)
