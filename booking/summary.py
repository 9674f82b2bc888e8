"""A booking request in words: the visitor's summary (en, vi, ko, zh) and the team's e-mail.

Chinese is written in Simplified characters (the channels convert it for a visitor
who writes Traditional). The team's e-mail stays in English whatever the visitor's
language; their own words (the name) are quoted as they wrote them.
"""
import datetime as dt
from typing import Any, Dict, Mapping

from booking import when

_LOCATIONS = {
    "en": {"229": "229 Nguyen Van Thoai", "225": "225 Nguyen Van Thoai",
           "either": "either location"},
    "vi": {"229": "229 Nguyen Van Thoai", "225": "225 Nguyen Van Thoai",
           "either": "cơ sở nào cũng được"},
    "ko": {"229": "229 Nguyen Van Thoai", "225": "225 Nguyen Van Thoai",
           "either": "상관없음"},
    "zh": {"229": "229 Nguyen Van Thoai", "225": "225 Nguyen Van Thoai",
           "either": "哪家都可以"},
}
_MASSAGES = {
    "en": {"foot": "foot massage", "body": "body massage", "unsure": "not sure yet"},
    "vi": {"foot": "massage chân", "body": "massage toàn thân", "unsure": "chưa chắc"},
    "ko": {"foot": "발 마사지", "body": "전신 마사지", "unsure": "아직 미정"},
    "zh": {"foot": "足疗", "body": "全身按摩", "unsure": "还没想好"},
}
_PARTS = {
    "en": {"morning": "morning", "afternoon": "afternoon", "evening": "evening"},
    "vi": {"morning": "buổi sáng", "afternoon": "buổi chiều", "evening": "buổi tối"},
    "ko": {"morning": "오전", "afternoon": "오후", "evening": "저녁"},
    "zh": {"morning": "上午", "afternoon": "下午", "evening": "晚上"},
}
_WEEKDAYS = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "vi": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
    "ko": ["월", "화", "수", "목", "금", "토", "일"],
    "zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
}
_PEOPLE = {"en": ("1 person", "{n} people"), "vi": ("{n} người", "{n} người"),
           "ko": ("{n}명", "{n}명"), "zh": ("{n}位", "{n}位")}


def _lang(language: str | None) -> str:
    return language if language in _LOCATIONS else "en"


def when_text(value: str, language: str | None = "en") -> str:
    """"Mon 23 Nov 2026, 19:00", "Thứ Hai 23/11/2026, 19:00", "2026年11月23日（周一）19:00".

    Korean: "2026년 11월 23일 (월) 19:00".
    """
    lang = _lang(language)
    parsed = when.from_value(value)
    if parsed is None:
        return value
    day = parsed.date
    if not parsed.complete:
        return day_text(day, lang)
    weekday = _WEEKDAYS[lang][day.weekday()]
    clock = (f"{parsed.hour:02d}:{parsed.minute:02d}" if parsed.hour is not None
             else _PARTS[lang][parsed.part or "evening"])
    if lang == "vi":
        return f"{weekday} {day:%d/%m/%Y}, {clock}"
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일 ({weekday}) {clock}"
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）{clock}"
    return f"{weekday} {day.day} {day:%b %Y}, {clock}"


def day_text(day: dt.date, language: str | None = "en") -> str:
    """"Mon 23 Nov", "Thứ Hai 23/11", "11월 23일 (월)", "11月23日（周一）": a day, no time."""
    lang = _lang(language)
    weekday = _WEEKDAYS[lang][day.weekday()]
    if lang == "vi":
        return f"{weekday} {day:%d/%m}"
    if lang == "ko":
        return f"{day.month}월 {day.day}일 ({weekday})"
    if lang == "zh":
        return f"{day.month}月{day.day}日（{weekday}）"
    return f"{weekday} {day.day} {day:%b}"


def people_text(count: int, language: str | None = "en") -> str:
    """"1 person", "2 people", "2 người", "2명", "2位"."""
    one, many = _PEOPLE[_lang(language)]
    return (one if count == 1 else many).format(n=count)


def location_text(value: str, language: str | None = "en") -> str:
    """The location in words ("either location", "상관없음")."""
    return _LOCATIONS[_lang(language)].get(value, "?")


def massage_text(value: str, language: str | None = "en") -> str:
    """The kind of massage in words."""
    return _MASSAGES[_lang(language)].get(value, "?")


_SHORT_WEEKDAYS = {"en": _WEEKDAYS["en"], "vi": ["T2", "T3", "T4", "T5", "T6", "T7", "CN"],
                   "ko": _WEEKDAYS["ko"], "zh": _WEEKDAYS["zh"]}
_SHORT_PARTS = {"en": _PARTS["en"], "ko": _PARTS["ko"], "zh": _PARTS["zh"],
                "vi": {"morning": "sáng", "afternoon": "chiều", "evening": "tối"}}


def short_when(value: str, language: str | None = "en") -> str:
    """A button's day and time, 20 characters at most: "Sat 28 Nov, 15:00", "T7 28/11, tối".

    Korean "11월 28일 (토) 15:00", Chinese "11月28日 周六 15:00".
    """
    lang = _lang(language)
    parsed = when.from_value(value)
    if parsed is None:
        return value[:20]
    day, weekday = parsed.date, _SHORT_WEEKDAYS[lang][parsed.date.weekday()]
    if parsed.hour is not None:
        clock = f"{parsed.hour:02d}:{parsed.minute:02d}"
    else:
        clock = _SHORT_PARTS[lang].get(parsed.part or "", "")
    if lang == "vi":
        text = f"{weekday} {day:%d/%m}"
    elif lang == "ko":
        text = f"{day.month}월 {day.day}일 ({weekday})"
    elif lang == "zh":
        text = f"{day.month}月{day.day}日 {weekday}"
    else:
        text = f"{weekday} {day.day} {day:%b}"
    if parsed.hour is not None and lang not in ("ko", "zh"):
        return f"{text}, {clock}"
    return f"{text} {clock}".strip()


def summary_values(slots: Mapping[str, Any], language: str | None) -> Dict[str, str]:
    """The values ``utter_booking_summary`` shows, in the visitor's language."""
    lang = _lang(language)
    return {
        "when": when_text(str(slots.get("booking_time") or ""), lang),
        "people": people_text(int(slots.get("booking_people") or 0), lang),
        "location": _LOCATIONS[lang].get(str(slots.get("booking_location")), "?"),
        "massage": _MASSAGES[lang].get(str(slots.get("booking_massage")), "?"),
        "name": str(slots.get("booking_name") or ""),
        "contact": str(slots.get("booking_contact") or ""),
    }


def email_subject(request: Mapping[str, Any]) -> str:
    """The team's e-mail subject: new request, when, how many, where."""
    return (f"Booking request #{request['id']}: {when_text(request['requested_time'])}, "
            f"{summary_values(_as_slots(request), 'en')['people']}, "
            f"{_LOCATIONS['en'].get(request['location'], request['location'])}")


def _as_slots(request: Mapping[str, Any]) -> Dict[str, Any]:
    return {"booking_time": request["requested_time"], "booking_people": request["people"],
            "booking_location": request["location"], "booking_massage": request["massage"],
            "booking_name": request["name"], "booking_contact": request["contact"]}


def email_body(request: Mapping[str, Any], console_url: str | None = None) -> str:
    """The team's e-mail: every detail, where to confirm, and the conversation."""
    values = summary_values(_as_slots(request), "en")
    created = request["created_at"]
    if isinstance(created, dt.datetime):
        created_text = created.strftime("%Y-%m-%d %H:%M UTC")
    else:
        created_text = str(created)
    link = (f"{console_url.rstrip('/')}/conversations/{request['sender_id']}"
            if console_url else request["sender_id"])
    lines = [
        "A visitor asked the chat assistant for a booking. Nothing is confirmed yet:",
        f"please confirm with them {_METHOD_EN.get(request['contact_method'], 'by phone')}.",
        "",
        f"When:      {values['when']} (Da Nang time)",
        f"People:    {values['people']}",
        f"Where:     {values['location']}",
        f"Massage:   {values['massage']}",
        f"Name:      {values['name']}",
        f"Contact:   {values['contact']} ({request['contact_method']})",
        f"Language:  {request['language']}",
        f"Channel:   {request['channel']}",
        f"Received:  {created_text}",
        f"Request:   #{request['id']}",
        f"Conversation: {link}",
    ]
    return "\n".join(lines) + "\n"


_METHOD_EN = {"whatsapp": "on WhatsApp", "phone": "by phone", "email": "by e-mail"}
