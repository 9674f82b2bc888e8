"""The other answers of a booking request: people, location, kind of massage, name, contact.

Each ``parse_*`` returns the slot value, or a reason code when the answer can't
be used (``"unclear"``, ``"too_many"``…), or None when the text says nothing
about that field. Reasons name the response that re-asks
(``utter_booking_invalid_<slot>_<reason>``), except ``wechat``: a WeChat ID is no
contact the team can use, and ``booking.replies`` says which ones are.

Chinese is read in Simplified characters (``booking.when.fold``); a name is kept
as the visitor wrote it, Traditional or Simplified.
"""
import re
from dataclasses import dataclass

from booking import people
from booking.when import MAX_CHARS, fold, simplified

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


# "哪家都可以", "两家都行"; "都可以", "随便" only answer the question asked
_ZH_EITHER = re.compile(r"(?:哪家|哪个|哪间|哪里|哪边|哪儿|随便哪|两家|两个店|任何一家)"
                        r"[^,.!?，。！？]{0,6}(?:都|也)(?:可以|行|好|没问题|ok)")
_ZH_WHATEVER = re.compile(r"都可以|都行|都好|无所谓|随便|没关系|哪个都|哪家都")


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
            or re.search(r"아무|상관없|어디든", text) or _ZH_EITHER.search(words) \
            or requested and _ZH_WHATEVER.search(words):
        return "either"
    return Invalid("unclear") if requested else None


# "不知道" said to another question is about that question, not the massage
_ZH_UNSURE = re.compile(r"不确定|不知道|不清楚|没想好|还没定|没决定|不一定|推荐")


def parse_massage(text: str, requested: bool) -> str | Invalid | None:
    """Which kind: "foot", "body", or "unsure"."""
    words = fold(text[:MAX_CHARS])
    foot = re.search(r"\b(foot|feet|reflexology|chan|massage chan)\b", words) or "발" in text \
        or re.search(r"足|脚", words)
    body = re.search(r"\b(body|full|whole|toan than|body massage|co the)\b", words) \
        or "전신" in text or "바디" in text or re.search(r"全身|身体|推拿|精油|泰式|油压", words)
    if re.search(r"\b(not sure|unsure|don'?t know|no idea|you choose|chua biet|khong biet"
                 r"|chua chac|khong chac)\b", words) or re.search(r"모르|잘 모|글쎄", text) \
            or requested and (_ZH_UNSURE.search(words) or _ZH_WHATEVER.search(words)):
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
# Chinese, on the name as written (either script): "我叫张伟", "我姓陈", "张伟，谢谢"
_NAME_NOISE_ZH = re.compile(r"^(?:你好|您好)?[,，\s]*(?:我的名字[是叫]|名字[是叫]|我叫|我是|叫我"
                            r"|姓名[是:：]?|名字[:：]|本人|(?:免[贵貴])?姓|我姓)\s*")
_NAME_END_ZH = re.compile(r"[,，。.!！\s]*(?:[谢謝][谢謝]|多[谢謝]|[谢謝]啦|就行了?|就可以了?"
                          r"|就好)?[。.!！~～]*$")
_SURNAME_ZH = re.compile(r"^(?:我姓|姓|免[贵貴]姓)")


# what is said to a bot, never a name: chit-chat, greetings, yes/no, booking words
_NOT_NAMES = re.compile(
    r"^(?:thanks?|thank you|thankyou|thx|ty|tks|cheers|ok|okay|okie|k|yes|yeah|yep|yup|no|nope"
    r"|nah|sure|fine|cool|great|hi|hello|hey|hiya|bye|goodbye|good (?:morning|afternoon|evening"
    r"|night)|please|pls|sorry|help|what|why|how|who|test|testing|booking|book|massage|cancel"
    r"|stop|idk|no idea|nothing|none|anonymous|unknown|me|you|lol|haha|hmm|um|uh|name"
    r"|cam on|camon|cam on ban|xin chao|chao|chao ban|alo|vang|da|u|ok nhe|duoc|khong|co|khong biet"
    r"|dat lich|ten|cho hoi|cam on nhieu|감사합니다|감사해요|고마워요|고맙습니다|안녕하세요|안녕"
    r"|네|예|아니요|아니오|응|좋아요|괜찮아요|몰라요|모르겠어요|이름|예약|ㅋㅋ+|ㅎㅎ+|ㅇㅋ"
    r"|谢谢|谢谢你|谢谢您|谢啦|多谢|感谢|好的|好|好吧|嗯+|嗯嗯|哦+|噢|啊|是|是的|对|对的|不|不是"
    r"|没有|行|可以|没问题|你好|您好|在吗|哈+|呵呵|什么|为什么|不知道|名字|姓名|预约|订|按摩"
    r"|足疗|取消|算了|收到|知道了|明白|ok的|不用|不要)"
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
    surname = bool(_SURNAME_ZH.match(name))
    name = _NAME_END_ZH.sub("", _NAME_NOISE_ZH.sub("", name, count=1), count=1)
    if surname and len(name) == 1 and "\u4e00" <= name <= "\u9fff":
        return name  # "我姓陈": a surname alone is how the team will greet them
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


# a trunk "0" written after the country code: "+886 0912 345 678", "+84 090 123 4567"
_TRUNK = re.compile(r"^\+(886|84|86|82)0")
# numbers whose length is known: +86 mobiles, Hong Kong, Macau, Taiwan
_NATIONAL = [("+86", re.compile(r"1[3-9]\d{9}|10\d{7,8}|[2-9]\d{8,10}")),
             ("+852", re.compile(r"[2-9]\d{7}")), ("+853", re.compile(r"[2-9]\d{7}")),
             ("+886", re.compile(r"9\d{8}|[2-8]\d{7,8}"))]
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalise_phone(raw: str, language: str | None = None) -> str | None:
    """``+84901234567`` from "+84 90 123 4567" or "090 123 4567"; None if not a phone number.

    In a Chinese conversation an 11-digit number from 13 to 19 is a mainland mobile
    ("138 1234 5678" is +86); elsewhere digits without "+" keep their country code.
    """
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+"):
        number = "+" + digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif language == "zh" and _CN_MOBILE.fullmatch(digits):
        number = "+86" + digits
    elif digits.startswith("0"):
        number = "+84" + digits[1:]
    else:
        number = "+" + digits
    number = _TRUNK.sub(r"+\1", number)
    for code, national in _NATIONAL:
        if number.startswith(code):
            return number if national.fullmatch(number[len(code):]) else None
    return number if 9 <= len(number) - 1 <= 15 else None


# a WeChat ID is no contact the team uses: "微信 abc123", "wx: zw88", "加我微信", "WeChat: ..."
_WECHAT = re.compile(r"微信|威信|weixin|wechat|we chat|(?<![a-z])(?:wx|vx)(?![a-z])|v信|加v",
                     re.IGNORECASE)
_EMAIL_IN = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_PHONE_IN = re.compile(r"\+?\d[\d\s().-]{6,30}\d")
_CONTACT_WORDS_EN = re.compile(r"^(?:my (?:phone|number|email|e-mail|whatsapp) is|it's|sdt"
                               r"|so dien thoai|email|e-mail|phone|whatsapp|zalo)[:\s]+",
                               re.IGNORECASE)
_CONTACT_WORDS_ZH = re.compile(r"^(?:我的|我)?(?:手机号码|手机号|手机|电话号码|电话|联系电话"
                               r"|联系方式|号码|电子邮箱|邮箱地址|邮箱|电子邮件|邮件)\s{0,2}"
                               r"(?:是|为|:)?\s{0,2}")
_THANKS_AFTER = re.compile(r"[\s,，!！]{0,4}(?:谢谢|多谢|thanks|thank you)?[\s.!！]{0,4}$",
                           re.IGNORECASE)


def parse_contact(text: str, whatsapp_number: str | None = None,
                  language: str | None = None) -> Contact | Invalid:
    """A phone number, WhatsApp number or e-mail address to confirm on.

    ``Invalid("wechat")`` for a WeChat ID: the answer says which contacts work.
    """
    answer = simplified(text[:MAX_CHARS]).strip().strip(".,;")
    answer = _THANKS_AFTER.sub("", answer, count=1)
    if _WECHAT.search(answer):
        # a phone number or e-mail said with it still works ("微信同号 138 1234 5678")
        email = _EMAIL_IN.search(answer)
        if email and len(email.group(0)) <= 120:
            return Contact(email.group(0).lower(), "email")
        phone = _PHONE_IN.search(answer)
        number = normalise_phone(phone.group(0), language) if phone else None
        return Contact(number, "phone") if number else Invalid("wechat")
    cleaned = _CONTACT_WORDS_ZH.sub("", _CONTACT_WORDS_EN.sub("", answer, count=1), count=1)
    own = normalise_phone(whatsapp_number) if whatsapp_number else None
    if own and _PHONE_CHARS.match(cleaned) and own in (normalise_phone(cleaned, language),
                                                       normalise_phone("+" + cleaned)):
        return Contact(own, "whatsapp")
    if EMAIL.match(cleaned) and len(cleaned) <= 120:
        return Contact(cleaned.lower(), "email")
    if "@" in cleaned:
        return Invalid("bad_email")
    if _PHONE_CHARS.match(cleaned):
        phone_number = normalise_phone(cleaned, language)
        if phone_number:
            return Contact(phone_number, "phone")
        return Invalid("bad_phone")
    if re.search(r"\d{3}", cleaned):
        return Invalid("bad_phone")
    return Invalid("unclear")
