"""Booking replies that depend on the answer: which day was meant, and the way out of a loop.

Fixed sentences are domain responses (data/booking/responses.yml); these are
the few whose buttons are computed (the days an answer can mean, the likely
readings after two failed tries). Button titles stay within 20 characters, as
WhatsApp requires; payloads send the value back through ``inform_booking``.
"""
import json
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

LANGUAGES = ("en", "vi", "ko")
MAX_TITLE = 20


@dataclass(frozen=True)
class Say:
    """A reply written here: its text and its buttons (``title``, ``payload``)."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


TEXTS: Dict[str, Dict[str, str]] = {
    "which_day": {
        "en": "Just to be sure I note the right day: which one do you mean?",
        "vi": "Để mình ghi đúng ngày, bạn chọn giúp mình ngày nào nhé?",
        "ko": "날짜를 정확히 적어 두려고요. 어느 날로 해 드릴까요?",
    },
    "stuck_booking_time": {
        "en": "Sorry, I still can't read a day and time. Pick one of these, type it like "
              "\"tomorrow 7pm\", or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa đọc được ngày giờ. Bạn chọn một mốc dưới đây, gõ kiểu "
              "\"mai 7 giờ tối\", hoặc nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 날짜와 시간을 이해하지 못했어요. 아래에서 고르시거나 "
              "\"내일 저녁 7시\"처럼 적어 주세요. 직원과 바로 이야기하셔도 돼요:",
    },
    "stuck_booking_people": {
        "en": "Sorry, I still didn't get how many people. Tap a number, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn đi mấy người. Bạn bấm chọn số người, hoặc nói "
              "chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 인원을 이해하지 못했어요. 인원을 눌러 주시거나 직원과 바로 "
              "이야기해 주세요:",
    },
    "stuck_booking_location": {
        "en": "Sorry, I still didn't get which spa. Tap one, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn chọn cơ sở nào. Bạn bấm chọn giúp mình, hoặc "
              "nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 어느 지점인지 이해하지 못했어요. 아래에서 골라 주시거나 직원과 "
              "바로 이야기해 주세요:",
    },
    "stuck_booking_massage": {
        "en": "Sorry, I still didn't get which massage. Tap one, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn muốn loại massage nào. Bạn bấm chọn giúp mình, "
              "hoặc nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 어떤 마사지인지 이해하지 못했어요. 아래에서 골라 주시거나 직원과 "
              "바로 이야기해 주세요:",
    },
    "stuck_booking_name": {
        "en": "Sorry, I still need a name to put the booking under, like \"Lan Nguyen\". "
              "Or talk to the team:",
        "vi": "Xin lỗi, mình vẫn cần một cái tên để ghi lịch, ví dụ \"Lan Nguyễn\". Hoặc bạn "
              "nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 예약자 성함이 필요해요. 예: \"김민수\". 직원과 바로 이야기하셔도 돼요:",
    },
    "stuck_booking_contact": {
        "en": "Sorry, I still need a phone number, WhatsApp number or e-mail address. "
              "Or talk to the team:",
        "vi": "Xin lỗi, mình vẫn cần số điện thoại, số WhatsApp hoặc e-mail. Hoặc bạn nói "
              "chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 전화번호, WhatsApp 번호 또는 이메일이 필요해요. 직원과 바로 "
              "이야기하셔도 돼요:",
    },
    "stuck_booking_confirmed": {
        "en": "Sorry, I didn't get that. Shall I send the request, change something, or "
              "cancel it?",
        "vi": "Xin lỗi, mình chưa hiểu. Bạn muốn gửi yêu cầu, sửa một mục, hay hủy ạ?",
        "ko": "죄송해요, 이해하지 못했어요. 요청을 보낼까요, 수정할까요, 아니면 취소할까요?",
    },
    "talk_to_team": {"en": "Talk to the team", "vi": "Liên hệ nhân viên", "ko": "직원과 상담"},
    "cancel": {"en": "Cancel", "vi": "Hủy", "ko": "취소"},
    "send": {"en": "Send", "vi": "Gửi", "ko": "보내기"},
    "change": {"en": "Change", "vi": "Sửa", "ko": "수정"},
}


def say(key: str, language: str | None) -> str:
    """The text ``key`` in ``language`` (English when the language is unknown)."""
    return TEXTS[key][language if language in LANGUAGES else "en"]


def choice(value: str) -> str:
    """The payload a button sends for ``value``: an ``inform_booking`` with the value."""
    return "/inform_booking" + json.dumps({"choice": value}, ensure_ascii=False)


def _button(title: str, value: str) -> Dict[str, str]:
    return {"title": title[:MAX_TITLE], "payload": choice(value)}


def choose_day(options: List[Tuple[str, str]], language: str | None) -> Say:
    """Which of the days an answer can mean: one button per (title, value)."""
    return Say(say("which_day", language), [_button(t, v) for t, v in options])


def stuck(slot: str, options: List[Tuple[str, str]], language: str | None) -> Say:
    """After two failed tries: the likely readings, then "talk to the team" and "cancel"."""
    buttons = [_button(t, v) for t, v in options]
    if slot == "booking_confirmed":
        buttons = [_button(say("send", language), "send"),
                   _button(say("change", language), "change")]
    buttons += [_button(say("talk_to_team", language), "handoff"),
                {"title": say("cancel", language), "payload": "/cancel_booking"}]
    return Say(say(f"stuck_{slot}", language), buttons)
