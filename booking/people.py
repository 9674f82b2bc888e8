"""How many people a booking is for, as visitors type it in English, Vietnamese, Korean, Chinese.

``parse`` reads digits and number words next to a people word ("2 pax", "hai người",
"두 명", "둘이"), groups ("party of 4", "3 of us", "2 adults and a child"), couples
("a couple", "me and my wife", "vợ chồng", "부부") and one person ("just me",
"một mình", "혼자"); in Chinese (Simplified or Traditional, numerals as digits)
"两位", "我们三个", "4大1小", "一家四口", "我和我老婆", "就我一个". A number next to a
time or date marker ("3pm", "7h", "7 giờ", "3시", "thứ 7", "28/11", "3点", "28号")
is never a people count. Every pattern is bounded and the
text is cut to ``MAX_CHARS`` first, so hostile input costs little.
"""
import re
from dataclasses import dataclass
from typing import Dict, List, Tuple

from booking.when import MAX_CHARS, fold, zh_digits
from language.detect import has_han

MAX_PEOPLE = 20


@dataclass(frozen=True)
class Invalid:
    """An answer that can't be used, and why (``unclear`` or ``too_many``)."""

    reason: str


_EN = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
       "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
       "a": 1, "an": 1}
_VI = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
       "chin": 9, "muoi": 10}
_KO = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5,
       "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10}
WORDS: Dict[str, int] = {**_EN, **_VI, **_KO}


def _alternatives(words: Dict[str, int]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


# a count: digits (bounded) or a number word, never part of a longer number, word or date
_DIGITS = r"(?<![\d/.:,a-z-])\d{1,6}(?![\d/:]|[.,]\d)"
_LATIN = rf"(?<!\w)(?:{_alternatives({**_EN, **_VI})})(?!\w)"
_HANGUL = rf"(?<![가-힣])(?:{_alternatives(_KO)})"
_NUM = rf"({_DIGITS}|{_LATIN}|{_HANGUL})"
# what follows a number that makes it a time, a date, a duration or a price
_HARD = (r"(?::|am\b|pm\b|a\.m|p\.m|h\b|h\d|hrs?\b|hours?\b|mins?\b|minutes?\b|o'?clock|gio\b"
         r"|g\b|phut\b|tieng\b|thang\b|ngay\b|days?\b|weeks?\b|nights?\b|시|분|월|일|주|st\b"
         r"|nd\b|rd\b|th\b|%|k\b|vnd|usd|\$|dong\b|won\b|원)")
# a part of day after "for 7" makes it a time, unless the message has its clock elsewhere
_SOFT = (r"(?:tonight|this (?:evening|morning|afternoon)|in the (?:evening|morning|afternoon)"
         r"|toi\b|sang\b|chieu\b|trua\b)")
_NOT_PEOPLE = rf"(?!\s{{0,3}}(?:{_HARD}|{_SOFT}))"
_NOT_TIME = rf"(?!\s{{0,3}}{_HARD})"
_CLOCK_SAID = re.compile(r"\d\s{0,2}(?:am\b|pm\b|h\b|h\d|gio\b|:\d\d|시)|\bat \d|\bluc \d")
# what comes just before a number that makes it a time or a day ("at 3", "thứ 7", "ngày 28")
_TIME_BEFORE = re.compile(r"(?:\bat|\bby|\bbefore|\bafter|\baround|\bluc|\bthu|\bngay"
                          r"|\bthang|@|\bfrom|\btil|\buntil|오후|오전|저녁|밤|아침)\s{0,2}$")

_PERSON = (r"(?:people|peoples|persons?|ppl|pax|guests?|adults?|ladies|guys|girls|of us"
           r"|nguoi|ng\b|khach|suat|명|사람|인(?![가-힣])|인이)")
_COUNTED = re.compile(rf"{_NUM}\s{{0,2}}{_PERSON}|({_HANGUL})\s{{0,2}}분")
_OTHERS = re.compile(rf"{_NUM}\s{{0,2}}(?:kids?|child|children|babies|baby|teens?|friends?"
                     rf"|colleagues?|tre em|tre con|be\b|chau|ban\b|아이|어린이|애기|아기)")
_WITH_ME = re.compile(r"\b(?:me|i|myself)\s{1,2}(?:and|&|\+|with)\b|\b(?:and|&) (?:me|i|myself)\b"
                      r"|\bwith (?:my|our)\b|\b(?:minh|em|toi) (?:va|voi)\b")
_KO_NOUN_FIRST = re.compile(r"(?:어른|성인|아이|어린이)\s{0,2}(\d{1,3})\s{0,2}명")
_KO_GROUP = re.compile(r"(?<![가-힣])(둘|셋|넷|다섯|여섯)\s{0,2}(?:이서|이(?![가-힣]))")
_GROUP = re.compile(rf"\b(?:party|group|table|team|family|booking|reservation|nhom|doan"
                    rf"|gia dinh|ban)\s{{1,2}}(?:of\s{{1,2}}|for\s{{1,2}})?{_NUM}{_NOT_TIME}")
_WE_ARE = re.compile(rf"\b(?:we are|we're|were|there are|there will be|there'll be|we have"
                     rf"|chung toi|chung minh|bon minh|bon em|tui minh|nha minh)"
                     rf"\s{{1,2}}{_NUM}{_NOT_TIME}")
_FOR_WORDS = r"(?:\bfor|\bcho|\bdat)\s{1,2}"
_NOT_SESSIONS = r"(?!\s{0,2}(?:massages?|sessions?|slots?|foot|body)\b)"
_FOR = re.compile(rf"{_FOR_WORDS}{_NUM}{_NOT_PEOPLE}{_NOT_SESSIONS}")
_FOR_WITH_CLOCK = re.compile(rf"{_FOR_WORDS}{_NUM}{_NOT_TIME}{_NOT_SESSIONS}")
_SESSIONS = re.compile(rf"{_NUM}\s{{0,2}}(?:foot |body |thai |hot stone )?(?:massages|sessions"
                       rf"|slots|spots|seats)\b")
_PAIR = re.compile(
    r"\b(?:a couple|couple|couples|the two of us|two of us|both of us|the 2 of us|2 of us"
    r"|me and (?:my|a|the) \w{1,12}|me & (?:my|a) \w{1,12}|me \+ (?:my|a) \w{1,12}"
    r"|(?:my|with my) (?:wife|husband|hubby|partner|girlfriend|boyfriend|gf|bf|fiance|fiancee"
    r"|mom|mum|mother|dad|father|sister|brother|friend|son|daughter|colleague|mate)"
    r"|vo chong|cap doi|hai dua|2 dua|minh voi (?:ban|vo|chong|me|em)"
    r"|em voi (?:ban|chong|vo|me)|toi va (?:ban|vo|chong)|toi voi (?:ban|vo|chong))\b"
    r"|부부|커플|남편(?:이랑|과|하고|와)|아내(?:랑|와|하고)|와이프(?:랑|와|하고)"
    r"|남자\s?친구(?:랑|와|하고)|여자\s?친구(?:랑|와|하고)|친구(?:랑|와|하고) 같이")
_SOLO = re.compile(
    r"\b(?:just me|only me|me only|myself|alone|by myself|on my own|solo|single person"
    r"|just one|only one|mot minh|chi minh|moi minh|chi minh toi)\b"
    r"|혼자|나만|저만|1인(?![가-힣])")
# a whole answer that is only a count: "2", "two", "hai", "둘", "2 please", "chỉ 2 thôi"
_ALONE = re.compile(rf"^\W{{0,4}}(?:just|only|maybe|about|around|chi|khoang|tam|chung|like"
                    rf"|for|cho|uh|um)?\s{{0,2}}{_NUM}\s{{0,2}}(?:please|pls|plz|thanks"
                    rf"|thank you|thx|ok|nhe|nha|a|thoi|요|이요|이에요)?\W{{0,4}}$")


# Chinese, Simplified, numerals as digits ("两个人" reads " 2 个人")
_ZH_N = r"(?<![\d:/.])(\d{1,4})\s{0,2}"
_ZH_BIG_SMALL = re.compile(rf"{_ZH_N}大\s{{0,2}}(\d{{1,2}})\s{{0,2}}小")
_ZH_ADULTS = re.compile(rf"{_ZH_N}(?:个|位)?\s{{0,2}}(?:大人|成人|成年人)")
_ZH_OTHERS = re.compile(rf"{_ZH_N}(?:个|位)?\s{{0,2}}(?:小孩子?|孩子|儿童|小朋友|宝宝|婴儿"
                        rf"|朋友|同事|同学|闺蜜|家人|亲戚)")
_ZH_FAMILY = re.compile(r"(?:(?<!\d)1\s{0,2}家|全家|我家|家里)\s{0,2}(\d{1,2})\s{0,2}口"
                        r"|(?<![\d:/.])(\d{1,2})\s{0,2}口(?:人|之家)")
# "2个人", "2位", "3人", "我们3个"; never "2个小时", "3个月", "1个足疗" (a massage, not a count)
_ZH_NOT_PEOPLE = (r"小时|钟|月|星期|礼拜|周|半|晚|白天|地方|店|分店|门店|问题|项目|套餐|预约"
                  r"|时间|号码|电话|房间|次|疗程|字")
_ZH_COUNTED = re.compile(rf"{_ZH_N}(?:个人|位|人|个(?!\s{{0,2}}(?:{_ZH_NOT_PEOPLE})))")
_ZH_ONE_THING = re.compile(r"\s{0,2}(?:足|脚|按摩|全身|泰式|精油|推拿|spa)")
_ZH_RELATIONS = (r"老婆|老公|妻子|丈夫|太太|先生|爱人|媳妇|女朋友|男朋友|女友|男友|对象|伴侣"
                 r"|朋友|闺蜜|同事|同学|妈妈|妈|爸爸|爸|母亲|父亲|妹妹|姐姐|哥哥|弟弟|儿子|女儿"
                 r"|孩子|男票|女票")
_ZH_PAIR = re.compile(
    rf"(?:和|跟|与|同|带|陪)\s{{0,2}}着?\s{{0,2}}(?:我的?|我们的?)?\s{{0,2}}(?:{_ZH_RELATIONS})"
    rf"|(?:{_ZH_RELATIONS})\s{{0,2}}(?:和|跟)\s{{0,2}}我(?!们)"
    r"|我们俩|我俩|咱俩|咱们俩|俩人|两口子|2\s{0,2}口子|夫妻|夫妇|情侣|小两口|双人")
_ZH_WITH_ME = re.compile(r"我\s{0,2}(?:和|跟|与|同|带着?|加上?|陪)")
_ZH_SOLO = re.compile(r"就我|只有我|我自己|我1\s{0,2}个|单人|独自|1\s{0,2}个人")


def _chinese(words: str) -> int | None:
    """How many people Chinese words say (numerals already digits); None when they don't."""
    big_small = _ZH_BIG_SMALL.search(words)
    if big_small:
        return int(big_small.group(1)) + int(big_small.group(2))
    adults = [int(n) for n in _ZH_ADULTS.findall(words)]
    others = [int(n) for n in _ZH_OTHERS.findall(words)]
    if adults or others:
        total = sum(adults) + sum(others)
        if others and not adults and _ZH_PAIR.search(_ZH_OTHERS.sub(" ", words)):
            total += 2  # "我和老婆带两个孩子"
        elif others and not adults and _ZH_WITH_ME.search(words):
            total += 1  # "我和两个朋友"
        return total
    family = _ZH_FAMILY.search(words)
    if family:
        return int(family.group(1) or family.group(2))
    for match in _ZH_COUNTED.finditer(words):
        if match.group(1) == "1" and _ZH_ONE_THING.match(words, match.end()):
            continue  # "预约一个足疗": one massage, said of no one in particular
        return int(match.group(1))
    if _ZH_PAIR.search(words):
        return 2
    if _ZH_SOLO.search(words):
        return 1
    return None


def _value(token: str) -> int:
    return int(token[:6]) if token[:1].isdigit() else WORDS[token]


def _counted(words: str) -> List[Tuple[str, str]]:
    """The counts said with a people word, skipping those said as a time ("at 2 people")."""
    return [(m.group(1) or "", m.group(2) or "") for m in _COUNTED.finditer(words)
            if not _TIME_BEFORE.search(words[max(0, m.start() - 12):m.start()])]


def _counts(pattern: "re.Pattern[str]", words: str) -> List[int]:
    found = []
    for match in pattern.finditer(words):
        if _TIME_BEFORE.search(words[max(0, match.start() - 12):match.start()]):
            continue
        found.append(_value(match.group(1)))
    return found


def _checked(count: int) -> int | Invalid:
    if count < 1:
        return Invalid("unclear")
    if count > MAX_PEOPLE:
        return Invalid("too_many")
    return count


def parse(text: str, requested: bool) -> int | Invalid | None:
    """How many people ``text`` says; None when it says nothing (an ``Invalid`` when asked)."""
    words = " ".join(fold(text[:MAX_CHARS]).split())
    if has_han(words):
        words = " ".join(zh_digits(words).split())
        chinese = _chinese(words)
        if chinese is not None:
            return _checked(chinese)
    korean = [int(n) for n in _KO_NOUN_FIRST.findall(words)]
    if korean:
        return _checked(sum(korean))
    counted = [_value(a or b) for a, b in _counted(words)]
    others = _counts(_OTHERS, words)
    if counted or others:
        total = sum(counted) + sum(others)
        if others and not counted and _PAIR.search(words):
            total += 2  # "me and my wife and 2 kids"
        elif others and not counted and _WITH_ME.search(words):
            total += 1
        return _checked(total)
    group = _KO_GROUP.search(words)
    if group:
        return _checked(WORDS[group.group(1)])
    for pattern in (_GROUP, _WE_ARE):
        found = _counts(pattern, words)
        if found:
            return _checked(found[0])
    if _PAIR.search(words):
        return 2
    if _SOLO.search(words):
        return 1
    found = _counts(_FOR, words)
    if not found:
        # "for 2 tonight" is two people; "for 7 tonight" is seven o'clock (unless a clock is said)
        found = [n for n in _counts(_FOR_WITH_CLOCK, words)
                 if n <= 4 or _CLOCK_SAID.search(words)]
    found = found or _counts(_SESSIONS, words)
    if found:
        return _checked(found[0])
    if requested:
        alone = _ALONE.match(words)
        if alone and alone.group(1) not in ("a", "an"):
            return _checked(_value(alone.group(1)))
        return Invalid("unclear")
    return None
