"""A day and time in free text (en, vi with or without diacritics, ko), in Da Nang's time zone.

Vietnamese and Korean day and time words are first rewritten to English, then
``dateparser`` reads the date. A day with only a part of day ("tối nay",
"tonight") is kept as that part of day: the team confirms the exact time.
"""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(TIMEZONE)
MAX_DAYS_AHEAD = 90

# part of day -> (hour it means alone, hour it ends)
PARTS = {"morning": (9, 12), "afternoon": (15, 18), "evening": (19, 23)}


@dataclass(frozen=True)
class When:
    """A requested day, with an hour and minute or only a part of day."""

    date: dt.date
    hour: int | None = None
    minute: int = 0
    part: str | None = None

    @property
    def value(self) -> str:
        """The slot value: ``2026-11-23 19:00`` or ``2026-11-23 evening``."""
        if self.hour is not None:
            return f"{self.date.isoformat()} {self.hour:02d}:{self.minute:02d}"
        return f"{self.date.isoformat()} {self.part}"

    def latest(self) -> dt.datetime:
        """The last moment this request could still mean, in Da Nang time."""
        if self.hour is not None:
            return dt.datetime.combine(self.date, dt.time(self.hour, self.minute), TZ)
        end = PARTS[self.part or "evening"][1]
        return dt.datetime.combine(self.date, dt.time(end, 0), TZ)


def from_value(value: str) -> When | None:
    """The ``When`` a slot value stands for."""
    try:
        day, rest = value.split(" ", 1)
        date = dt.date.fromisoformat(day)
    except (ValueError, AttributeError):
        return None
    if rest in PARTS:
        return When(date, part=rest)
    match = re.fullmatch(r"(\d{2}):(\d{2})", rest)
    return When(date, int(match.group(1)), int(match.group(2))) if match else None


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), so "tối nay" and "toi nay" read the same."""
    text = text.lower().replace("đ", "d")
    return "".join(
        "".join(d for d in unicodedata.normalize("NFD", c) if unicodedata.category(d) != "Mn")
        if ord(c) < 0x2000 else c for c in text)


# Rewrites to English, longest first. Vietnamese is folded first.
_VI = [
    (r"\btoi nay\b|\bdem nay\b", " today evening "),
    (r"\bchieu nay\b", " today afternoon "),
    (r"\bsang nay\b", " today morning "),
    (r"\btoi mai\b", " tomorrow evening "),
    (r"\bchieu mai\b", " tomorrow afternoon "),
    (r"\bsang mai\b", " tomorrow morning "),
    (r"\bhom nay\b|\bbua nay\b", " today "),
    (r"\bhom qua\b", " yesterday "),
    (r"\bngay mai\b|\bmai\b", " tomorrow "),
    (r"\bngay kia\b|\bngay mot\b", " in 2 days "),
    (r"\bthu hai\b", " monday "), (r"\bthu ba\b", " tuesday "), (r"\bthu tu\b", " wednesday "),
    (r"\bthu nam\b", " thursday "), (r"\bthu sau\b", " friday "), (r"\bthu bay\b", " saturday "),
    (r"\bchu nhat\b", " sunday "),
    (r"\bbuoi toi\b|\btoi\b", " evening "), (r"\bbuoi chieu\b|\bchieu\b", " afternoon "),
    (r"\bbuoi sang\b|\bsang\b", " morning "),
    (r"(\d{1,2})\s*(?:h|gio)\s*(\d{2})\b", r" \1:\2 "),
    (r"(\d{1,2})\s*(?:h|gio)\s*(?:ruoi|30)\b", r" \1:30 "),
    (r"(\d{1,2})\s*(?:h|gio)\b", r" \1:00 "),
]
_KO = [
    ("오늘 저녁", " today evening "), ("오늘 밤", " today evening "), ("오늘밤", " today evening "),
    ("내일 저녁", " tomorrow evening "), ("내일 아침", " tomorrow morning "),
    ("오늘", " today "), ("어제", " yesterday "), ("내일", " tomorrow "), ("모레", " in 2 days "),
    ("월요일", " monday "), ("화요일", " tuesday "), ("수요일", " wednesday "),
    ("목요일", " thursday "), ("금요일", " friday "), ("토요일", " saturday "),
    ("일요일", " sunday "),
    ("저녁", " evening "), ("밤", " evening "), ("오후", " afternoon "),
    ("오전", " morning "), ("아침", " morning "),
]
_KO_TIME = [
    (r"(\d{1,2})\s*시\s*(\d{1,2})\s*분", r" \1:\2 "),
    (r"(\d{1,2})\s*시\s*반", r" \1:30 "),
    (r"(\d{1,2})\s*시", r" \1:00 "),
]
_EN = [
    (r"\btonight\b|\bthis evening\b", " today evening "),
    (r"\bthis afternoon\b", " today afternoon "),
    (r"\bthis morning\b", " today morning "),
    (r"\bday after tomorrow\b", " in 2 days "),
    (r"\bnight\b", " evening "),
    (r"\bnoon\b", " 12:00 "),
]
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b")
# "at 7": an hour alone; 1 to 7 means the afternoon or evening at a spa
_AT_HOUR = re.compile(r"\bat (\d{1,2})\b(?!\s*(?::|am\b|pm\b|a\.m|p\.m))")
_PART = re.compile(r"\b(morning|afternoon|evening)\b")
_DAYWORDS = re.compile(
    r"\b(today|tomorrow|yesterday|in \d+ days?"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"|next week)\b")


def english(text: str) -> str:
    """The day and time words of ``text`` in English, Vietnamese folded first."""
    out = text.lower()
    for korean, word in _KO:
        out = out.replace(korean, word)
    for pattern, word in _KO_TIME:
        out = re.sub(pattern, word, out)
    out = fold(out)
    for pattern, word in _VI + _EN:
        out = re.sub(pattern, word, out)
    return re.sub(r"\s+", " ", out).strip()


def has_time_words(text: str) -> bool:
    """Whether ``text`` names a day, a clock time or a part of day."""
    words = english(text)
    return bool(_CLOCK.search(words) or _PART.search(words) or _DAYWORDS.search(words)
                or _AT_HOUR.search(words))


def _clock(words: str) -> tuple[int, int] | None:
    match = _CLOCK.search(words)
    if not match:
        return None
    if match.group(4) is not None:
        hour, minute, suffix = int(match.group(4)), int(match.group(5)), ""
    else:
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if suffix.startswith("p") and hour < 12:
        hour += 12
    if suffix.startswith("a") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _date(words: str, now: dt.datetime) -> dt.date | None:
    import dateparser
    from dateparser.search import search_dates

    match = _DAYWORDS.search(words)
    if not match:
        return None
    phrase = match.group(0)
    if phrase == "next week":
        return (now + dt.timedelta(days=7)).date()
    settings = {"TIMEZONE": TIMEZONE, "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                "RELATIVE_BASE": now.replace(tzinfo=None)}
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        found = search_dates(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
        parsed = found[0][1] if found else None
    return parsed.date() if parsed else None


def parse(text: str, now: dt.datetime, base: "When | None" = None) -> "When | None | str":
    """The day and time ``text`` asks for.

    Returns a ``When``; ``"no_time"`` for a day without a time or part of day;
    None when no day or time can be read. ``base`` (an earlier answer) gives the
    day when only a new time is said ("change the time to 8pm").
    """
    now = now.astimezone(TZ)
    words = english(text)
    clock = _clock(words)
    part_match = _PART.search(words)
    part = part_match.group(1) if part_match else None
    at_hour = _AT_HOUR.search(words)
    if clock is None and at_hour and 1 <= int(at_hour.group(1)) <= 12:
        hour = int(at_hour.group(1))
        clock = (hour + 12 if hour <= 7 and part is None else hour, 0)
    date = _date(words, now)
    if date is None and (clock or part):
        date = base.date if base else now.date()
    if date is None:
        return None
    if clock:
        hour, minute = clock
        if part in ("afternoon", "evening") and hour < 12:
            hour += 12
        return When(date, hour, minute)
    if part:
        return When(date, part=part)
    return "no_time"


def problem(when: When, now: dt.datetime) -> str | None:
    """Why ``when`` can't be requested: ``past`` or ``too_far``; None when fine."""
    now = now.astimezone(TZ)
    if when.latest() <= now:
        return "past"
    if when.date > (now + dt.timedelta(days=MAX_DAYS_AHEAD)).date():
        return "too_far"
    return None
