"""Booking replies that depend on the answer: which day was meant, and the way out of a loop.

Fixed sentences are domain responses (data/booking/responses.yml); these are
the few whose buttons are computed (the days an answer can mean, the likely
readings after two failed tries), and the refusal of a WeChat ID, which names
the contacts the team can use. Button titles stay within 20 characters, as
WhatsApp requires; payloads send the value back through ``inform_booking``.
Chinese is written in Simplified characters: the channels convert a reply to
Traditional for a visitor who writes it (``language.script``).
"""
import json
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

LANGUAGES = ("en", "vi", "ko", "zh")
MAX_TITLE = 20


@dataclass(frozen=True)
class Say:
    """A reply written here: its text and its buttons (``title``, ``payload``)."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    # the domain response it stands in for, when it refuses an answer
    # (``utter_booking_invalid_contact_wechat``): counted as a failed try like one
    name: str = ""


TEXTS: Dict[str, Dict[str, str]] = {
    "which_day": {
        "en": "Just to be sure I note the right day: which one do you mean?",
        "vi": "Để mình ghi đúng ngày, bạn chọn giúp mình ngày nào nhé?",
        "ko": "날짜를 정확히 적어 두려고요. 어느 날로 해 드릴까요?",
        "zh": "为了准确记下日期，请问您指的是哪一天？",
    },
    "stuck_booking_time": {
        "en": "Sorry, I still can't read a day and time. Pick one of these, type it like "
              "\"tomorrow 7pm\", or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa đọc được ngày giờ. Bạn chọn một mốc dưới đây, gõ kiểu "
              "\"mai 7 giờ tối\", hoặc nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 날짜와 시간을 이해하지 못했어요. 아래에서 고르시거나 "
              "\"내일 저녁 7시\"처럼 적어 주세요. 직원과 바로 이야기하셔도 돼요:",
        "zh": "抱歉，我还是没能看出日期和时间。您可以从下面选一个，或者写成“明天晚上7点”这样，"
              "也可以直接联系我们的工作人员：",
    },
    "stuck_booking_people": {
        "en": "Sorry, I still didn't get how many people. Tap a number, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn đi mấy người. Bạn bấm chọn số người, hoặc nói "
              "chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 인원을 이해하지 못했어요. 인원을 눌러 주시거나 직원과 바로 "
              "이야기해 주세요:",
        "zh": "抱歉，我还是没弄清楚有几位。请点选人数，或者直接联系我们的工作人员：",
    },
    "stuck_booking_location": {
        "en": "Sorry, I still didn't get which spa. Tap one, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn chọn cơ sở nào. Bạn bấm chọn giúp mình, hoặc "
              "nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 어느 지점인지 이해하지 못했어요. 아래에서 골라 주시거나 직원과 "
              "바로 이야기해 주세요:",
        "zh": "抱歉，我还是没弄清楚您想去哪一家店。请点选一家，或者直接联系我们的工作人员：",
    },
    "stuck_booking_massage": {
        "en": "Sorry, I still didn't get which massage. Tap one, or talk to the team:",
        "vi": "Xin lỗi, mình vẫn chưa rõ bạn muốn loại massage nào. Bạn bấm chọn giúp mình, "
              "hoặc nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 아직 어떤 마사지인지 이해하지 못했어요. 아래에서 골라 주시거나 직원과 "
              "바로 이야기해 주세요:",
        "zh": "抱歉，我还是没弄清楚您想做哪种按摩。请点选一项，或者直接联系我们的工作人员：",
    },
    "stuck_booking_name": {
        "en": "Sorry, I still need a name to put the booking under, like \"Lan Nguyen\". "
              "Or talk to the team:",
        "vi": "Xin lỗi, mình vẫn cần một cái tên để ghi lịch, ví dụ \"Lan Nguyễn\". Hoặc bạn "
              "nói chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 예약자 성함이 필요해요. 예: \"김민수\". 직원과 바로 이야기하셔도 돼요:",
        "zh": "抱歉，预约还需要一个登记用的名字，例如“王小明”或“陈先生”。"
              "您也可以直接联系我们的工作人员：",
    },
    "stuck_booking_contact": {
        "en": "Sorry, I still need a phone number, WhatsApp number or e-mail address. "
              "Or talk to the team:",
        "vi": "Xin lỗi, mình vẫn cần số điện thoại, số WhatsApp hoặc e-mail. Hoặc bạn nói "
              "chuyện trực tiếp với nhân viên nhé:",
        "ko": "죄송해요, 전화번호, WhatsApp 번호 또는 이메일이 필요해요. 직원과 바로 "
              "이야기하셔도 돼요:",
        "zh": "抱歉，我还需要您的电话号码、WhatsApp 号码或电子邮箱。"
              "您也可以直接联系我们的工作人员：",
    },
    # a WeChat ID: the team can't confirm there, so say what works
    "contact_wechat": {
        "en": "Sorry, the team can't confirm bookings on WeChat. Please send a phone number "
              "(with its country code, e.g. +86 138 1234 5678), a WhatsApp number or an "
              "e-mail address.",
        "vi": "Xin lỗi, nhân viên bên mình không xác nhận lịch qua WeChat được. Bạn gửi giúp "
              "mình số điện thoại (kèm mã quốc gia, ví dụ +86 138 1234 5678), số WhatsApp "
              "hoặc e-mail nhé.",
        "ko": "죄송해요, 위챗으로는 예약 확인을 드릴 수 없어요. 전화번호(국가번호 포함, 예: "
              "+86 138 1234 5678), WhatsApp 번호 또는 이메일을 보내 주세요.",
        "zh": "抱歉，我们的工作人员无法通过微信确认预约。请您留下电话号码（请带国际区号，"
              "例如 +86 138 1234 5678）、WhatsApp 号码或电子邮箱，方便我们与您确认。",
    },
    "stuck_booking_confirmed": {
        "en": "Sorry, I didn't get that. Shall I send the request, change something, or "
              "cancel it?",
        "vi": "Xin lỗi, mình chưa hiểu. Bạn muốn gửi yêu cầu, sửa một mục, hay hủy ạ?",
        "ko": "죄송해요, 이해하지 못했어요. 요청을 보낼까요, 수정할까요, 아니면 취소할까요?",
        "zh": "抱歉，我没太明白。请问是发送这份预约申请、修改某一项，还是取消呢？",
    },
    "talk_to_team": {"en": "Talk to the team", "vi": "Liên hệ nhân viên", "ko": "직원과 상담",
                     "zh": "联系工作人员"},
    "cancel": {"en": "Cancel", "vi": "Hủy", "ko": "취소", "zh": "取消"},
    "send": {"en": "Send", "vi": "Gửi", "ko": "보내기", "zh": "发送"},
    "change": {"en": "Change", "vi": "Sửa", "ko": "수정", "zh": "修改"},
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


def refused_wechat(language: str | None) -> Say:
    """A WeChat ID was given: which contacts the team can confirm on."""
    return Say(say("contact_wechat", language), name="utter_booking_invalid_contact_wechat")


def stuck(slot: str, options: List[Tuple[str, str]], language: str | None) -> Say:
    """After two failed tries: the likely readings, then "talk to the team" and "cancel"."""
    buttons = [_button(t, v) for t, v in options]
    if slot == "booking_confirmed":
        buttons = [_button(say("send", language), "send"),
                   _button(say("change", language), "change")]
    buttons += [_button(say("talk_to_team", language), "handoff"),
                {"title": say("cancel", language), "payload": "/cancel_booking"}]
    return Say(say(f"stuck_{slot}", language), buttons)
