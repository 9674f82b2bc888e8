"""A day and time in free text (en, vi with or without diacritics, ko, zh), in Da Nang's time zone.

Vietnamese, Korean and Chinese day and time words ("12월 28일 오후 3시", "thứ 7",
"T7", "CN 10h sáng", "ngày 28 tháng 11", "tối nay", "내일 저녁", "周六下午三点",
"12月28号", "明晚七点半") and common English misspellings ("tmrw", "saterday")
are first rewritten to plain English, then
the day is computed here (``dateparser`` reads what is left). A day with only a
part of day ("tối nay", "tonight") is kept as that part of day: the team
confirms the exact time. What could mean two days ("this weekend", "saturday"
on a Saturday) is returned as ``Choices``: a wrong day stored is worse than a
question. Text is cut to ``MAX_CHARS`` and every pattern is bounded.

Chinese is read in Simplified characters (Traditional ones are converted with
``language.script.to_simplified``), its numerals as digits ("二十八号" is
"28号", "两点" is "2点"), full-width digits and punctuation as ASCII.
"""
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple, Union
from zoneinfo import ZoneInfo

from language.detect import has_han
from language.script import to_simplified

TIMEZONE = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(TIMEZONE)
MAX_DAYS_AHEAD = 90
# what any booking parser reads of one message
MAX_CHARS = 500

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
        """The slot value: ``2026-11-23 19:00``, ``2026-11-23 evening`` (a day: ``2026-11-23``)."""
        if self.hour is not None:
            return f"{self.date.isoformat()} {self.hour:02d}:{self.minute:02d}"
        if self.part is None:
            return self.date.isoformat()
        return f"{self.date.isoformat()} {self.part}"

    @property
    def complete(self) -> bool:
        """Whether a time or a part of day goes with the day."""
        return self.hour is not None or self.part is not None

    def latest(self) -> dt.datetime:
        """The last moment this request could still mean, in Da Nang time."""
        if self.hour is not None:
            return dt.datetime.combine(self.date, dt.time(self.hour, self.minute), TZ)
        end = PARTS[self.part or "evening"][1]
        return dt.datetime.combine(self.date, dt.time(end, 0), TZ)


def from_value(value: str) -> When | None:
    """The ``When`` a slot value stands for."""
    try:
        day, rest = (value.split(" ", 1) + [""])[:2] if isinstance(value, str) else ("", "")
        date = dt.date.fromisoformat(day)
    except (ValueError, AttributeError):
        return None
    if rest in PARTS:
        return When(date, part=rest)
    if rest == "":
        return When(date)
    match = re.fullmatch(r"(\d{2}):(\d{2})", rest)
    return When(date, int(match.group(1)), int(match.group(2))) if match else None


# full-width ASCII ("２", "：", "？") and the ideographic space as plain ASCII; "。" and "、"
# as spaces (a "." or "," next to a number would make it a decimal or a list)
_WIDE: Dict[int, int | str] = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: " ",
                              0x3002: " ", 0x3001: " "}


def simplified(text: str) -> str:
    """Chinese in Simplified characters, full-width digits and punctuation as ASCII."""
    return to_simplified(text.translate(_WIDE))


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), so "tối nay" and "toi nay" read the same.

    Chinese is folded too: Traditional characters become Simplified ones (``simplified``).
    """
    text = simplified(text[:MAX_CHARS * 4]).lower().replace("đ", "d")
    return "".join(
        "".join(d for d in unicodedata.normalize("NFD", c) if unicodedata.category(d) != "Mn")
        if ord(c) < 0x2000 else c for c in text)


@dataclass(frozen=True)
class Choices:
    """Two or more readings of one answer ("this weekend"): the visitor picks one."""

    options: Tuple[When, ...]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "oct": 10, "nov": 11, "dec": 12}

# Vietnamese with its diacritics, before folding: "tối" (evening) is not "tôi" (I)
_VI_MARKED = [
    (r"tối|đêm", " evening "), (r"sáng", " morning "), (r"trưa", " afternoon "),
]
# Vietnamese, folded. Weekdays first: "thứ 7" and "T7" are Saturday, not a count.
_VI = [
    (r"\bthu\s{0,2}(?:hai|2)\b|\bt2\b", " monday "),
    (r"\bthu\s{0,2}(?:ba|3)\b|\bt3\b", " tuesday "),
    (r"\bthu\s{0,2}(?:tu|4)\b|\bt4\b", " wednesday "),
    (r"\bthu\s{0,2}(?:nam|5)\b|\bt5\b", " thursday "),
    (r"\bthu\s{0,2}(?:sau|6)\b|\bt6\b", " friday "),
    (r"\bthu\s{0,2}(?:bay|7)\b|\bt7\b", " saturday "),
    (r"\bchu\s{0,2}nhat\b|\bcn\b", " sunday "),
    (r"\bngay\s{0,2}(\d{1,2})\s{0,2}thang\s{0,2}(\d{1,2})\b", r" \1/\2 "),
    (r"\b(\d{1,2})\s{0,2}thang\s{0,2}(\d{1,2})\b", r" \1/\2 "),
    (r"\bngay\s{0,2}(\d{1,2})(?![\d/])", r" day \1 "),
    (r"\bcuoi\s{0,2}tuan\s{0,2}(?:sau|toi)\b", " next_weekend "),
    (r"\bcuoi\s{0,2}tuan(?:\s{0,2}nay)?\b", " this weekend "),
    (r"\btuan\s{0,2}(?:sau|toi)\b", " next week "),
    (r"\b(?:dem|toi)\s{0,2}nay\b", " today evening "),
    (r"\bchieu\s{0,2}nay\b", " today afternoon "),
    (r"\bsang\s{0,2}nay\b", " today morning "),
    (r"\btoi\s{0,2}mai\b", " tomorrow evening "),
    (r"\bchieu\s{0,2}mai\b", " tomorrow afternoon "),
    (r"\bsang\s{0,2}mai\b", " tomorrow morning "),
    (r"\bhom\s{0,2}nay\b|\bbua\s{0,2}nay\b", " today "),
    (r"\bhom\s{0,2}qua\b", " yesterday "),
    (r"\bngay\s{0,2}kia\b|\bngay\s{0,2}mot\b|\bmot\b(?=\s{0,2}(?:\d|evening|morning))",
     " in 2 days "),
    (r"\bngay\s{0,2}mai\b|\bmai\b", " tomorrow "),
    (r"(\d{1,2})\s{0,2}(?:h|gio|g)\s{0,2}(\d{2})\b", r" \1:\2 "),
    (r"(\d{1,2})\s{0,2}(?:h|gio|g)\s{0,2}(?:ruoi|30)\b", r" \1:30 "),
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:h|gio|g)\b", r" \1:00 "),
    (r"\bbuoi\s{0,2}toi\b|(?<=:\d\d )toi\b|\btoi(?=\s{1,2}(?:saturday|sunday|monday|tuesday"
     r"|wednesday|thursday|friday|today|tomorrow|\d{1,2}/|day ))", " evening "),
    (r"\bbuoi\s{0,2}chieu\b|\bchieu\b", " afternoon "),
    (r"\bbuoi\s{0,2}sang\b|(?<=:\d\d )sang\b|\bsang(?=\s{1,2}(?:saturday|sunday|monday"
     r"|tuesday|wednesday|thursday|friday|today|tomorrow|\d{1,2}/|day ))", " morning "),
    (r"\btrua\b", " afternoon "),
]
_KO = [
    (r"(\d{1,2})\s{0,2}월\s{0,2}(\d{1,2})\s{0,2}일", r" \2/\1 "),
    (r"(?<![\d/])(\d{1,2})\s{0,2}일(?![가-힣])|(?<![\d/])(\d{1,2})\s{0,2}일(?=에|로|이|날)",
     r" day \1\2 "),
    (r"다음\s{0,2}주\s{0,2}주말|담주\s{0,2}주말", " next_weekend "),
    (r"이번\s{0,2}주\s{0,2}주말|이번\s{0,2}주말|주말", " this weekend "),
    (r"다음\s{0,2}주|담주|다음주", " next week "), (r"이번\s{0,2}주", " "),
    (r"오늘\s{0,2}(?:저녁|밤)", " today evening "),
    (r"내일\s{0,2}(?:저녁|밤)", " tomorrow evening "),
    (r"내일\s{0,2}(?:아침|오전)", " tomorrow morning "),
    (r"내일\s{0,2}오후", " tomorrow afternoon "),
    (r"오늘", " today "), (r"어제", " yesterday "), (r"내일|낼", " tomorrow "),
    (r"모레", " in 2 days "),
    (r"월요일", " monday "), (r"화요일", " tuesday "), (r"수요일", " wednesday "),
    (r"목요일", " thursday "), (r"금요일", " friday "), (r"토요일", " saturday "),
    (r"일요일", " sunday "),
    (r"저녁|밤", " evening "), (r"오후|점심", " afternoon "), (r"오전|아침", " morning "),
    (r"정오", " 12:00 "),
    (r"(\d{1,2})\s{0,2}시\s{0,2}(\d{1,2})\s{0,2}분", r" \1:\2 "),
    (r"(\d{1,2})\s{0,2}시\s{0,2}반", r" \1:30 "),
    (r"(\d{1,2})\s{0,2}시", r" \1:00 "),
]
# Chinese, in Simplified characters (with a few Cantonese words: 听日, 后日, 下昼, 朝早,
# 琴日, as Hong Kong writes them). Day words first: weekdays use numerals as their names
# ("周一", "星期六"), so they are read before the numerals become digits.
_ZH_WEEKDAY_NAMES = {"一": "monday", "二": "tuesday", "三": "wednesday", "四": "thursday",
                     "五": "friday", "六": "saturday", "日": "sunday", "天": "sunday"}
_ZH_WEEKDAY_NAMES.update({str(n): day for n, day in enumerate(_WEEKDAYS, start=1)})
# "下周二" (next week's Tuesday), "这周六", "星期天", "礼拜6"; "周一个人" is not Monday
_ZH_WEEKDAY = re.compile(r"(下\s{0,2}个?|这\s{0,2}个?|本)?\s{0,2}(?:星期|礼拜|周)\s{0,2}"
                         r"(一(?![个位人])|[二三四五六日天1-7](?!\d))")
# "早一点", "晚一点儿": a bit earlier or later, never one o'clock
_ZH_A_BIT = re.compile(r"(?<=[早晚快慢多少有宜])一点儿?")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
# one number each: "二十八", "十二", "十", "零五" (the minutes of "十点零五"), "两"
_ZH_NUMBER = re.compile(r"[一二两三四五六七八九]?十[一二三四五六七八九]?|零[一二三四五六七八九]"
                        r"|[零〇一二两三四五六七八九]")
_Replacement = Union[str, Callable[["re.Match[str]"], str]]
_ZH_DAYS: List[Tuple[str, _Replacement]] = [
    (r"下\s{0,2}个?\s{0,2}(?:周末|礼拜末|星期末)", " next_weekend "),
    (r"(?:这\s{0,2}个?|本)?\s{0,2}(?:周末|礼拜末|星期末)", " this weekend "),
    (r"大后天", " in 3 days "), (r"后天", " in 2 days "),
    (r"今晚|今夜", " today evening "), (r"明晚", " tomorrow evening "),
    (r"今早", " today morning "), (r"明早", " tomorrow morning "),
    (r"今天|今日|今儿", " today "), (r"明天|明日|明儿|听日", " tomorrow "),
    (r"后日", " in 2 days "),
    (r"昨天|昨晚|前天|琴日", " yesterday "),
    (r"下\s{0,2}个?\s{0,2}(?:星期|礼拜|周)(?!\s{0,2}[后以之])", " next week "),
    (r"(?:这\s{0,2}个?|本)\s{0,2}(?:星期|礼拜|周)", " "),
    (r"晚上|傍晚|夜里|夜晚|晚间|夜间", " evening "), (r"下午|午后|下昼", " afternoon "),
    (r"上午|早上|早晨|清晨|朝早", " morning "),
]
_ZH_TIMES: List[Tuple[str, _Replacement]] = [
    (r"中午(?=\s{0,2}\d)", " afternoon "), (r"中午", " 12:00 "),
    (r"晚(?=\s{0,2}\d)", " evening "), (r"早(?=\s{0,2}\d)", " morning "),
    # "2026年12月28日", "12月28号" (day/month as the other languages write it), "28号"
    (r"(?<!\d)(\d{4})\s{0,2}年\s{0,2}(\d{1,2})\s{0,2}月\s{0,2}(\d{1,2})\s{0,2}(?:日|号)?",
     r" \3/\2/\1 "),
    (r"(?<![\d/])(\d{1,2})\s{0,2}月\s{0,2}(\d{1,2})\s{0,2}(?:日|号|(?!\s{0,2}[\d个位人点时:]))",
     r" \2/\1 "),
    (r"(?<![\d/])(\d{1,3})\s{0,2}天\s{0,2}(?:以后|之后|后)", r" in \1 days "),
    (r"(?<![\d/])(\d{1,2})\s{0,2}个?\s{0,2}(?:星期|礼拜|周)\s{0,2}(?:以后|之后|后)",
     r" in \1 weeks "),
    (r"(?<![\d/])(\d{1,2})\s{0,2}(?:号|日)", r" day \1 "),
    # the clock: "7点半", "7点一刻", "7点15分", "7点05", "7点钟", "19时"
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:点钟|点|时)\s{0,2}半", r" \1:30 "),
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:点钟|点|时)\s{0,2}([13])\s{0,2}刻",
     lambda m: f" {m.group(1)}:{int(m.group(2)) * 15:02d} "),
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:点|时)\s{0,2}(\d{1,2})\s{0,2}分",
     lambda m: f" {m.group(1)}:{int(m.group(2)):02d} "),
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:点|时)\s{0,2}(\d{2})(?!\d|\s{0,2}[个位人号日月大小口])",
     r" \1:\2 "),
    (r"(?<![\d:])(\d{1,2})\s{0,2}(?:点钟|点|时)", r" \1:00 "),
]
_Rewrite = Tuple["re.Pattern[str]", _Replacement]
_ZH_DAY_WORDS: List[_Rewrite] = [(re.compile(p), w) for p, w in _ZH_DAYS]
_ZH_TIME_WORDS: List[_Rewrite] = [(re.compile(p), w) for p, w in _ZH_TIMES]


def _zh_weekday(match: "re.Match[str]") -> str:
    qualifier, day = (match.group(1) or "").strip(), _ZH_WEEKDAY_NAMES[match.group(2)]
    if qualifier.startswith("下"):
        return f" next week {day} "
    return f" this {day} " if qualifier else f" {day} "


def _zh_number(match: "re.Match[str]") -> str:
    said = match.group(0)
    if "十" in said:
        tens, _, ones = said.partition("十")
        return f" {_ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)} "
    if len(said) == 2:
        return f" 0{_ZH_DIGITS[said[1]]} "
    return f" {_ZH_DIGITS[said]} "


def zh_digits(text: str) -> str:
    """Chinese numerals as digits, spaced so two numbers never join: "两个人" -> " 2 个人"."""
    return _ZH_NUMBER.sub(_zh_number, _ZH_A_BIT.sub(" ", text))


def _chinese(text: str) -> str:
    """Chinese day and time words in English: "周六下午三点" -> "saturday afternoon 3:00".

    Weekdays first (they use numerals as names), then the numerals, then dates and the clock.
    """
    out = _ZH_WEEKDAY.sub(_zh_weekday, text)
    for pattern, word in _ZH_DAY_WORDS:
        out = pattern.sub(word, out)
    out = zh_digits(out)
    for pattern, word in _ZH_TIME_WORDS:
        out = pattern.sub(word, out)
    return out


_EN = [
    (r"\b(?:tonight|tonite|tonigth|2nite|2night|this evening)\b", " today evening "),
    (r"\bthis afternoon\b", " today afternoon "),
    (r"\bthis morning\b", " today morning "),
    (r"\b(?:the )?day after (?:tomorrow|tmrw|tmr)\b", " in 2 days "),
    (r"\b(?:tomorrow|tmrw|tmr|tmrow|tomorow|tommorow|tommorrow|tomorrw|tomoro|tomorro|2moro"
     r"|2morrow|2mrw|2morow|tomorrows)\b", " tomorrow "),
    (r"\b(?:tday|tdy|2day)\b", " today "),
    (r"\b(?:mon|monady|monda)\b", " monday "),
    (r"\b(?:tue|tues|tuseday|tusday|teusday|tuesay)\b", " tuesday "),
    (r"\b(?:wed|weds|wednsday|wendesday|wensday|wedensday|wednesdy)\b", " wednesday "),
    (r"\b(?:thur|thurs|thrusday|thursady|thurday|thursdy)\b", " thursday "),
    (r"\b(?:fri|firday|fridya|friady|frday)\b", " friday "),
    (r"\b(?:sat|saturady|saterday|satuday|satruday|saturdy|satarday)\b", " saturday "),
    (r"\b(?:sun|sunady|sundy|sundya)\b", " sunday "),
    (r"\b(?:weekend|wkend|w/e)\b", " weekend "),
    (r"\bnext\s{1,3}weekend\b", " next_weekend "),
    (r"\b(?:this\s{1,3})?weekend\b", " this weekend "),
    (r"\bnight\b", " evening "),
    (r"\bnoon\b|\bmidday\b", " 12:00 "),
    (r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,7}\.?\s{1,2}(\d{1,2})"
     r"(?:st|nd|rd|th)?\b", r" \2/m\1 "),
    (r"\b(\d{1,2})(?:st|nd|rd|th)?\s{1,2}(?:of\s{1,2})?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
     r"|nov|dec)[a-z]{0,7}\b", r" \1/m\2 "),
]
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s{0,2}(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b")
# "at 7": an hour alone; 1 to 7 means the afternoon or evening at a spa
_AT_HOUR = re.compile(r"\b(?:at|around|by|luc) (\d{1,2})\b(?!\s{0,2}(?::|/|am\b|pm\b|a\.m|p\.m"
                      r"|people|persons?|pax|guests?|nguoi|of us))")
_PART = re.compile(r"\b(morning|afternoon|evening)\b")
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/])"
                           r"|(?<![\d/])(\d{1,2})[/.-](m[a-z]{3}|\d{1,2})(?:[/.-](\d{2,4}))?(?![\d/])")
_DAY_OF_MONTH = re.compile(r"\bday (\d{1,2})\b")
_IN_DAYS = re.compile(r"\bin (\d{1,3}|a|one|two|three) (days?|weeks?)\b")
_WEEKDAY = re.compile(r"\b(next |this |coming )?(monday|tuesday|wednesday|thursday|friday"
                      r"|saturday|sunday)\b")
_DAYWORDS = re.compile(
    r"\b(today|tomorrow|yesterday|in (?:\d{1,3}|a|one|two|three) (?:days?|weeks?)"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|day \d{1,2}"
    r"|\d{1,2}[/.-](?:m[a-z]{3}|\d{1,2})(?:[/.-]\d{2,4})?|\d{4}-\d{1,2}-\d{1,2}"
    r"|next week|this weekend|next weekend)\b")
_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3}


def english(text: str) -> str:
    """The day and time words of ``text`` in English, Vietnamese folded first."""
    out = simplified(text[:MAX_CHARS]).lower()
    if has_han(out):
        out = _chinese(out)
    for pattern, word in _KO:
        out = re.sub(pattern, word, out)
    for pattern, word in _VI_MARKED:
        out = re.sub(pattern, word, out)
    out = fold(out)
    for pattern, word in _VI + _EN:
        out = re.sub(pattern, word, out)
    return re.sub(r"\s+", " ", out.replace("next_weekend", "next weekend")).strip()


def has_time_words(text: str) -> bool:
    """Whether ``text`` names a day, a clock time or a part of day."""
    words = english(text)
    return bool(_CLOCK.search(words) or _PART.search(words) or _DAYWORDS.search(words)
                or _AT_HOUR.search(words))


def _clock(words: str) -> tuple[int, int, bool] | None:
    """Hour, minute, and whether am/pm was said."""
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
    if hour > 23 or minute > 59 or (suffix and int(match.group(1)) > 12):
        return None
    return hour, minute, bool(suffix)


def _day_month(day: int, month: int, year: int | None, now: dt.datetime) -> dt.date | None:
    """A day of a month; without a year, this year's unless it is long gone (then next year's)."""
    try:
        if year is not None:
            return dt.date(year if year > 99 else 2000 + year, month, day)
        date = dt.date(now.year, month, day)
    except ValueError:
        return None
    if date < now.date() - dt.timedelta(days=31):
        try:
            return dt.date(now.year + 1, month, day)
        except ValueError:
            return None
    return date


def _numeric(match: "re.Match[str]", now: dt.datetime) -> dt.date | None:
    if match.group(1):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    first, second = int(match.group(4)), match.group(5)
    year = int(match.group(6)) if match.group(6) else None
    if second.startswith("m"):
        month = _MONTHS.get(second[1:4])
        return _day_month(first, month, year, now) if month else None
    month = int(second)
    if month > 12 and first <= 12:  # "12/28": written month first
        first, month = month, first
    return _day_month(first, month, year, now)


def _weekday_dates(match: "re.Match[str]", words: str, now: dt.datetime) -> List[dt.date]:
    """The day or days a weekday can mean: the coming one; two when it is unclear."""
    today = now.date()
    target = _WEEKDAYS.index(match.group(2))
    ahead = (target - today.weekday()) % 7
    coming = today + dt.timedelta(days=ahead)
    if "next week" in words:
        monday = today + dt.timedelta(days=7 - today.weekday())
        return [monday + dt.timedelta(days=target)]
    qualifier = (match.group(1) or "").strip()
    if qualifier == "next" and 0 < ahead <= 3:
        return [coming, coming + dt.timedelta(days=7)]
    if qualifier == "next" and ahead == 0:
        return [coming + dt.timedelta(days=7)]
    if ahead == 0 and qualifier != "this":
        return [coming, coming + dt.timedelta(days=7)]
    return [coming]


def _weekend(words: str, now: dt.datetime) -> List[dt.date]:
    today = now.date()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6 and "next weekend" not in words:
        # on a Sunday, "this weekend" is today, or the coming one
        return [today, today + dt.timedelta(days=6), today + dt.timedelta(days=7)]
    if "next weekend" in words:
        saturday += dt.timedelta(days=7)
    return [saturday, saturday + dt.timedelta(days=1)]


def _dates(words: str, now: dt.datetime) -> List[dt.date] | str:
    """The day or days ``words`` name: [] for none, "which_day" for a week without a day."""
    today = now.date()
    if re.search(r"\b(?:this|next) weekend\b", words):
        return _weekend(words, now)
    numeric = _NUMERIC_DATE.search(words)
    if numeric:
        found = _numeric(numeric, now)
        return [found] if found else "bad_date"
    weekday = _WEEKDAY.search(words)
    if weekday:
        return _weekday_dates(weekday, words, now)
    if "next week" in words:
        return "which_day"
    relative = re.search(r"\b(today|tomorrow|yesterday)\b", words)
    if relative:
        shift = {"today": 0, "tomorrow": 1, "yesterday": -1}[relative.group(1)]
        return [today + dt.timedelta(days=shift)]
    within = _IN_DAYS.search(words)
    if within:
        count = _COUNT_WORDS.get(within.group(1)) or int(within.group(1))
        return [today + dt.timedelta(days=count * (7 if within.group(2).startswith("w") else 1))]
    day = _DAY_OF_MONTH.search(words)
    if day:
        number = int(day.group(1))
        for months in range(0, 2):
            month = (today.month - 1 + months) % 12 + 1
            year = today.year + (today.month - 1 + months) // 12
            try:
                date = dt.date(year, month, number)
            except ValueError:
                continue
            if date >= today:
                return [date]
        return "bad_date"
    return _dateparser(words, now)


_MONTH_WORD = re.compile(r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,7}\b"
                         r"|\bmay\b(?=\s{0,2}\d)|(?<=\d )may\b|\bthang\b|월|月")


def _dateparser(words: str, now: dt.datetime) -> List[dt.date]:
    """What ``dateparser`` reads in a short text naming a month that the forms above missed."""
    if len(words) > 60 or not _MONTH_WORD.search(words):
        return []
    import dateparser

    settings = {"TIMEZONE": TIMEZONE, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month"], "RELATIVE_BASE": now.replace(tzinfo=None)}
    phrase = _CLOCK.sub(" ", _PART.sub(" ", words))
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return [parsed.date()] if parsed else []


def _hour(clock: tuple[int, int, bool] | None, part: str | None) -> tuple[int, int] | None:
    if clock is None:
        return None
    hour, minute, said = clock
    if not said and part in ("afternoon", "evening") and hour < 12:
        hour += 12
    elif not said and part is None and 1 <= hour <= 7:
        hour += 12  # "7h", "7시", "at 7": a spa's 7 is in the evening
    return hour, minute


def parse(text: str, now: dt.datetime, base: "When | None" = None) -> "When | Choices | str | None":
    """The day and time ``text`` asks for.

    Returns a ``When``; ``Choices`` when it can mean more than one day;
    ``"no_time"`` for a day without a time or part of day; ``"which_day"`` for
    a week without its day; None when no day or time can be read. ``base`` (an
    earlier answer, or a day said before) gives the day when only a time is said.
    """
    now = now.astimezone(TZ)
    words = english(text)
    part_match = _PART.search(words)
    part = part_match.group(1) if part_match else None
    clock = _clock(words)
    at_hour = _AT_HOUR.search(words)
    if clock is None and at_hour and 1 <= int(at_hour.group(1)) <= 12:
        clock = (int(at_hour.group(1)), 0, False)
    hour = _hour(clock, part)
    dates = _dates(words, now)
    if isinstance(dates, str):
        return dates if dates == "which_day" else None
    if not dates and _MONTH_WORD.search(words):
        return None  # a month named but its day not read: ask, never guess today
    if not dates and (hour or part):
        dates = [base.date if base else now.date()]
    if not dates:
        return None
    options = tuple(When(day, hour[0], hour[1]) if hour else When(day, part=part)
                    for day in dates)
    if len(options) > 1:
        return Choices(options)
    if not options[0].complete:
        return "no_time"
    return options[0]


def day_of(text: str, now: dt.datetime) -> dt.date | None:
    """The one day ``text`` names (for a day said without a time)."""
    dates = _dates(english(text), now.astimezone(TZ))
    return dates[0] if isinstance(dates, list) and len(dates) == 1 else None


def problem(when: When, now: dt.datetime) -> str | None:
    """Why ``when`` can't be requested: ``past`` or ``too_far``; None when fine."""
    now = now.astimezone(TZ)
    if when.latest() <= now:
        return "past"
    if when.date > (now + dt.timedelta(days=MAX_DAYS_AHEAD)).date():
        return "too_far"
    return None
