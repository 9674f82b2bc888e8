"""The other answers of a booking request: people, location, kind of massage, name, contact.

Each ``parse_*`` returns the slot value, or a reason code when the answer can't
be used (``"unclear"``, ``"too_many"``…), or None when the text says nothing
about that field. Reasons name the response that re-asks
(``utter_booking_invalid_<slot>_<reason>``).
"""
import re
from dataclasses import dataclass

from booking.when import fold

MAX_PEOPLE = 20
MAX_NAME_CHARS = 80
LOCATIONS = ("229", "225", "either")
MASSAGES = ("foot", "body", "unsure")


@dataclass(frozen=True)
class Invalid:
    """An answer that can't be used, and why."""

    reason: str


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "a couple": 2, "couple": 2, "just me": 1, "only me": 1, "myself": 1,
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
    "muoi": 10, "minh toi": 1, "mot minh": 1,
    "한": 1, "혼자": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5,
}
_PEOPLE_WORD = r"(?:people|persons?|pax|guests?|adults?|of us|nguoi|khach|명|분|사람)"
_PEOPLE = re.compile(rf"(\d+)\s*{_PEOPLE_WORD}")
_MASSAGES_COUNT = re.compile(r"(\d+)\s*(?:foot|body)?\s*(?:massages|sessions|slots)\b")
_ONLY_NUMBER = re.compile(r"^\D{0,12}?(\d+)\D{0,12}$")


def parse_people(text: str, requested: bool) -> int | Invalid | None:
    """How many people: "2", "2 people", "hai người", "두 명", "just me"."""
    words = fold(text)
    match = _PEOPLE.search(words) or _MASSAGES_COUNT.search(words)
    if not match and requested:
        match = _ONLY_NUMBER.match(words.strip())
    if match:
        count = int(match.group(1)[:6])
    else:
        count = 0
        for word, number in _NUMBER_WORDS.items():
            pattern = (rf"(?<!\w){re.escape(word)}(?!\w)\s*{_PEOPLE_WORD}"
                       if not requested else rf"(?<!\w){re.escape(word)}(?!\w)")
            if re.search(pattern, words):
                count = number
                break
        if not count:
            return Invalid("unclear") if requested else None
    if count < 1:
        return Invalid("unclear")
    if count > MAX_PEOPLE:
        return Invalid("too_many")
    return count


def parse_location(text: str, requested: bool) -> str | Invalid | None:
    """Which of the two spas: "229", "225", or "either" (any, both, don't mind)."""
    words = fold(text)
    has_229, has_225 = "229" in words, "225" in words
    if has_229 and not has_225:
        return "229"
    if has_225 and not has_229:
        return "225"
    if re.search(r"\b(either|any|anywhere|both|don'?t mind|doesn'?t matter|whichever|no preference"
                 r"|dau cung duoc|cho nao cung duoc|nao cung duoc|bat ky)\b", words) \
            or re.search(r"아무|상관없|어디든", text):
        return "either"
    return Invalid("unclear") if requested else None


def parse_massage(text: str, requested: bool) -> str | Invalid | None:
    """Which kind: "foot", "body", or "unsure"."""
    words = fold(text)
    foot = re.search(r"\b(foot|feet|reflexology|chan|massage chan)\b", words) or "발" in text
    body = re.search(r"\b(body|full|whole|toan than|body massage|co the)\b", words) \
        or "전신" in text or "바디" in text
    if re.search(r"\b(not sure|unsure|don'?t know|no idea|you choose|chua biet|khong biet"
                 r"|chua chac|khong chac)\b", words) or re.search(r"모르|잘 모|글쎄", text):
        return "unsure"
    if foot and not body:
        return "foot"
    if body and not foot:
        return "body"
    return Invalid("unclear") if requested else None


_NAME_NOISE = re.compile(r"^(?:my name is|my name's|i am|i'm|it's|this is|name:?|call me"
                         r"|toi ten la|ten toi la|ten la|toi la|em ten|anh ten|chi ten)\s+",
                         re.IGNORECASE)
_NOT_IN_NAMES = re.compile(r"[<>{}\[\]/\\=@#$%^*|~`]")
_NAME_SUFFIX_KO = re.compile(r"\s*(?:입니다|이에요|예요|이요)\.?$")


def parse_name(text: str) -> str | Invalid:
    """A name to book under: trimmed, at most 80 characters, with at least one letter."""
    name = " ".join(text.split())
    if len(name) > MAX_NAME_CHARS:
        return Invalid("too_long")
    folded = fold(name)
    cut = _NAME_NOISE.match(folded)
    if cut:
        name = name[cut.end():]
    name = _NAME_SUFFIX_KO.sub("", name).strip(" .,!")
    name = re.sub(r"^(?:제 이름은|이름은|저는)\s*", "", name)
    if not name or not any(c.isalpha() for c in name) or _NOT_IN_NAMES.search(name):
        return Invalid("unclear")
    if any(c.isdigit() for c in name):
        return Invalid("unclear")
    return name


EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


@dataclass(frozen=True)
class Contact:
    """Where the team confirms: a phone number (phone or WhatsApp) or an e-mail address."""

    value: str
    method: str  # "phone", "whatsapp" or "email"


def normalise_phone(raw: str) -> str | None:
    """``+84901234567`` from "+84 90 123 4567" or "090 123 4567"; None if not a phone number."""
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif digits.startswith("0"):
        number = "+84" + digits[1:]
    else:
        number = "+" + digits
    return number if 9 <= len(number) - 1 <= 15 else None


def parse_contact(text: str, whatsapp_number: str | None = None) -> Contact | Invalid:
    """A phone number, WhatsApp number or e-mail address to confirm on."""
    answer = text.strip().strip(".,;")
    cleaned = re.sub(r"^(?:my (?:phone|number|email|e-mail|whatsapp) is|it's|sdt|so dien thoai"
                     r"|email|e-mail|phone|whatsapp|zalo)[:\s]+", "", answer, flags=re.IGNORECASE)
    own = normalise_phone(whatsapp_number) if whatsapp_number else None
    if own and _PHONE_CHARS.match(cleaned) and own in (normalise_phone(cleaned),
                                                       normalise_phone("+" + cleaned)):
        return Contact(own, "whatsapp")
    if EMAIL.match(cleaned) and len(cleaned) <= 120:
        return Contact(cleaned.lower(), "email")
    if "@" in cleaned:
        return Invalid("bad_email")
    if _PHONE_CHARS.match(cleaned):
        phone = normalise_phone(cleaned)
        if phone:
            return Contact(phone, "phone")
        return Invalid("bad_phone")
    if re.search(r"\d{3,}", cleaned):
        return Invalid("bad_phone")
    return Invalid("unclear")
