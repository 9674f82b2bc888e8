"""The other answers of a booking request: people, location, kind of massage, name, contact.

Each ``parse_*`` returns the slot value, or a reason code when the answer can't
be used (``"unclear"``, ``"too_many"``…), or None when the text says nothing
about that field. Reasons name the response that re-asks
(``utter_booking_invalid_<slot>_<reason>``).
"""
import re
from dataclasses import dataclass

from booking import people
from booking.when import MAX_CHARS, fold

MAX_PEOPLE = people.MAX_PEOPLE
MAX_NAME_CHARS = 80
LOCATIONS = ("229", "225", "either")
MASSAGES = ("foot", "body", "unsure")


@dataclass(frozen=True)
class Invalid:
    """An answer that can't be used, and why."""

    reason: str


def parse_people(text: str, requested: bool) -> int | Invalid | None:
    """How many people: "2", "2 people", "hai người", "두 명", "just me" (``booking.people``)."""
    found = people.parse(text, requested)
    return Invalid(found.reason) if isinstance(found, people.Invalid) else found


def parse_location(text: str, requested: bool) -> str | Invalid | None:
    """Which of the two spas: "229", "225", or "either" (any, both, don't mind)."""
    words = fold(text[:MAX_CHARS])
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
    words = fold(text[:MAX_CHARS])
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


# what is said to a bot, never a name: chit-chat, greetings, yes/no, booking words
_NOT_NAMES = re.compile(
    r"^(?:thanks?|thank you|thankyou|thx|ty|tks|cheers|ok|okay|okie|k|yes|yeah|yep|yup|no|nope"
    r"|nah|sure|fine|cool|great|hi|hello|hey|hiya|bye|goodbye|good (?:morning|afternoon|evening"
    r"|night)|please|pls|sorry|help|what|why|how|who|test|testing|booking|book|massage|cancel"
    r"|stop|idk|no idea|nothing|none|anonymous|unknown|me|you|lol|haha|hmm|um|uh|name"
    r"|cam on|camon|cam on ban|xin chao|chao|chao ban|alo|vang|da|u|ok nhe|duoc|khong|co|khong biet"
    r"|dat lich|ten|cho hoi|cam on nhieu|감사합니다|감사해요|고마워요|고맙습니다|안녕하세요|안녕"
    r"|네|예|아니요|아니오|응|좋아요|괜찮아요|몰라요|모르겠어요|이름|예약|ㅋㅋ+|ㅎㅎ+|ㅇㅋ)"
    r"(?:\s(?:you|so much|a lot|there|ban|em|nhe|nha|a|again))*$")


def parse_name(text: str) -> str | Invalid:
    """A name to book under: trimmed, at most 80 characters, two letters or more, not chit-chat."""
    name = " ".join(text[:MAX_CHARS * 2].split())
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
    if sum(c.isalpha() for c in name) < 2 or _NOT_NAMES.match(fold(name).strip(" .,!?~")):
        return Invalid("unclear")
    return name


EMAIL = re.compile(r"^[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]{1,40}$")


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
    answer = text[:MAX_CHARS].strip().strip(".,;")
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
    if re.search(r"\d{3}", cleaned):
        return Invalid("bad_phone")
    return Invalid("unclear")
