"""What one visitor message fills in a booking request, and what to say about it.

``read_message`` is the whole form-filling logic: the Rasa validation action
only passes the message and the slots in, and turns the result into events.
Besides the six answers it handles leaving ("never mind", "thôi, không đặt
nữa", "그만할게요", "算了，先不约了"), small talk ("thanks!", "谢谢"), a day said
without its time (only
the time is asked next), answers that can mean two days (buttons), a question
failed twice (buttons with the likely readings, the team and cancel) and the
last look: the summary with Send, Change and Cancel. Chinese is read in
Simplified characters (``when.fold`` converts Traditional ones).
"""
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple, Union

from booking import fields, people, replies, summary, when
from booking.when import MAX_CHARS, fold
from language.detect import has_han

TIME, PEOPLE, LOCATION, MASSAGE, NAME, CONTACT = (
    "booking_time", "booking_people", "booking_location", "booking_massage", "booking_name",
    "booking_contact")
CONTACT_METHOD = "booking_contact_method"
CONFIRMED = "booking_confirmed"
NOTES = "booking_notes"
FIELDS = [TIME, PEOPLE, LOCATION, MASSAGE, NAME, CONTACT]
REQUIRED = FIELDS + [CONFIRMED]
ALL_SLOTS = REQUIRED + [CONTACT_METHOD, NOTES]
TRIES_BEFORE_BUTTONS = 2

# Intents that, said with confidence, are a question or a wish of their own:
# the form steps aside (rules answer, then the form asks again).
ASIDE_INTENTS = frozenset({"contact", "ask_location", "ask_prices", "ask_opening_hours",
                           "bot_challenge", "cancel_booking"})
ASIDE_CONFIDENCE = 0.6
# A name or a phone number tells no language ("Lan Nguyen" is not Vietnamese
# speech): while these are asked, the conversation keeps its language.
KEEP_LANGUAGE_FOR = frozenset({NAME, CONTACT})
WHATSAPP_CHANNELS = frozenset({"twilio_whatsapp", "whatsapp"})

_CANCEL = re.compile(r"^\W{0,4}(?:cancel|stop|quit|abort|forget it|huy|huy bo|thoi|dung lai"
                     r"|khong dat nua|취소|그만|取消|算了)"
                     r"(?:\s{1,3}(?:it|that|the booking|booking|please|pls"
                     r"|dat lich|nhe|di|해줘|할게요|해 주세요|요)){0,3}\W{0,4}$", re.IGNORECASE)
# a wish to stop anywhere in a short message: "forget it, I'll call instead"
_LEAVE = re.compile(
    r"\b(?:never ?mind|nvm|forget (?:it|about it|the booking)"
    r"|i'?ll (?:just )?call (?:instead|the spa)|call instead|changed my mind"
    r"|don'?t want to book|do not want to book"
    r"|no (?:more )?booking|not anymore|cancel (?:it|that|the booking|my booking|booking)"
    r"|stop (?:it|this|the booking)|leave it|maybe later"
    r"|thoi khong dat|khong dat nua|khong dat lich nua|thoi khoi|thoi bo qua|thoi bo di"
    r"|de sau|huy dat lich|huy lich|khong can nua|bye|goodbye|bye bye|tam biet)\b"
    r"|^\W{0,3}thoi(?:\s{1,2}(?:nhe|nha|a|vay|di|khoi))?\W{0,3}$"
    r"|그만할게요|그만 할게요|그만하|안 할게요|안할게요|예약 안|취소할게요|취소해|다음에 할게요"
    r"|됐어요|안녕히"
    r"|算了|不订了|不约了|不预约了|先不约|先不订|先不预约|不用了(?!解)|不要了|不做了|不去了|取消"
    r"|不想订了|不想约了|我打电话吧|还是打电话吧|我直接打电话|我(?:自己)?打电话(?:过去)?(?:预约|订|问)"
    r"|改天(?:吧|再说|再约)|下次(?:吧|再说|再约)|以后再说|再说吧|拜拜|再见|算啦|唔使了|唔订了")
# a Chinese question is not a wish to leave: "可以取消吗", "取消要收费吗"
_ZH_QUESTION = re.compile(r"吗|(?<!没)什么|怎么|如何|多少|能不能|可不可以|是否|有没有|要不要")
_CUE = re.compile(r"\b(?:change|changed|actually|instead|make it|correction|update|wrong|sorry"
                  r"|doi|thay|sua|thuc ra|nham)\b|변경|바꿔|바꾸|말고|수정|아니"
                  r"|改成|改为|改到|换成|换到|其实|更正|应该是|搞错|弄错|写错|不对|不是")
_THANKS = re.compile(r"^\W{0,4}(?:thanks?|thank you|thankyou|thx|ty|tks|cheers|cam on|camon"
                     r"|cam on ban|cam on em|cam on nhieu|감사합니다|감사해요|고마워요|고맙습니다"
                     r"|谢谢|谢谢你|谢谢您|谢啦|谢谢啦|多谢|感谢|非常感谢|太感谢了)"
                     r"(?:\s{1,2}(?:so much|a lot|you|ban|em|nhe|nha|nhieu|again)){0,3}\W{0,4}$")
_GREET = re.compile(r"^\W{0,4}(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|xin chao"
                    r"|chao|chao ban|chao em|alo|안녕하세요|안녕|你好|您好|嗨|哈喽|哈啰|在吗"
                    r"|在不在)"
                    r"(?:\s{1,2}(?:there|ban|em|shop|spa))?\W{0,4}$")
_OK = re.compile(r"^\W{0,4}(?:ok|okay|okie|k|sure|alright|fine|cool|great|vang|da|uh|um|hmm"
                 r"|ừ|u|ok nhe|duoc|네|예|응|알겠어요|ㅇㅋ|ㅋㅋ+|ㅎㅎ+|lol"
                 r"|好的|好|好吧|嗯{1,4}|哦{1,4}|噢|行|可以|没问题|知道了|收到|明白了?|ok的)\W{0,4}$")
_SEND = re.compile(r"\b(?:send|yes|yeah|yep|yup|correct|right|confirm|go ahead|looks good"
                   r"|all good|perfect|submit|ok|okay|gui|gui di|dung roi|dung|xac nhan|dong y"
                   r"|chinh xac|vang|da|duoc)\b|보내|네|예|맞아요|맞습니다|확인|좋아요|접수")
# Chinese words run together ("行" is in "行程", "对" in "对面"): a yes is the whole answer,
# made only of these ("没问题，发吧", "确认无误", "好的谢谢")
_ZH_SEND = re.compile(r"^\W{0,4}(?:(?:发送|发出去|发出|发|提交|确认|确定|没错|无误|正确|都对"
                      r"|对的|对|是的|是|好的|好|可以|行|没问题|就这样|嗯|请|吧|啊|呀|了|的|哦|谢谢"
                      r"|麻烦了|预约|申请|ok)\W{0,3}){1,8}$")
_CHANGE = re.compile(r"\b(?:change|edit|fix|modify|correct it|not right|wrong|doi|sua|thay|sai"
                     r"|khong dung|chua dung)\b|변경|바꾸|바꿔|수정|고칠|틀렸"
                     r"|修改|更改|改|换|不对|错了|有误|编辑")
_NOT = re.compile(r"\b(?:no|not|don'?t|do not|never|wait|hold on|khong|chua|dung gui|dung dat)\b"
                  r"|아니|안 |않|말고|잠깐|不|别|等等|等一下|稍等|还没|没有|再想想|暂时")
_FIELD_WORDS = [
    (TIME, r"\b(?:time|date|day|when|hour|thoi gian|ngay|gio|lich)\b|시간|날짜|일시|요일"
           r"|时间|日期|几点|哪天|日子"),
    (PEOPLE, r"\b(?:people|persons?|number of people|guests?|pax|so nguoi|nguoi)\b|인원|명수"
             r"|人数|几个人|几位|多少人"),
    (LOCATION, r"\b(?:location|place|branch|spa|address|co so|dia diem|chi nhanh)\b|지점|장소"
               r"|地点|门店|分店|店|地址|位置"),
    (MASSAGE, r"\b(?:massage|kind|type|treatment|loai)\b|마사지|종류|按摩|项目|类型|种类|足疗"),
    (NAME, r"\b(?:name|ten)\b|이름|성함|名字|姓名|称呼"),
    (CONTACT, r"\b(?:contact|phone|number(?! of)|e-?mail|whatsapp|zalo|sdt|so dien thoai)\b"
              r"|연락처|전화|이메일|번호|联系|电话|手机|号码|邮箱|邮件"),
]
SMALL_TALK = {"thanks": _THANKS, "greet": _GREET, "ok": _OK}


Said = Union[Tuple[str, Dict[str, Any]], replies.Say]


@dataclass
class Reading:
    """Slot values to set (None clears a bad answer) and what to say, in order.

    Each reply is a domain response with its values, or a ``replies.Say``
    (text and buttons written here, for replies that depend on the answer).
    """

    slots: Dict[str, Any] = field(default_factory=dict)
    responses: List[Said] = field(default_factory=list)
    leave: bool = False

    @property
    def empty(self) -> bool:
        """Nothing for the form: the message was something else (a question, "cancel")."""
        return not self.slots and not self.responses and not self.leave


def whatsapp_number(channel: str | None, sender_id: str) -> str | None:
    """The visitor's own number when they write on WhatsApp (Twilio or the Cloud API)."""
    if channel not in WHATSAPP_CHANNELS:
        return None
    digits = re.sub(r"\D", "", sender_id.split(":", 1)[-1][:40])
    return f"+{digits}" if 9 <= len(digits) <= 15 else None


def is_cancel(text: str) -> bool:
    """Whether the message only asks to stop: "cancel", "stop", "hủy", "huy", "취소"."""
    return bool(_CANCEL.match(fold(text[:MAX_CHARS]).strip()))


def is_leave(text: str) -> bool:
    """Whether a short message asks to stop the request: "never mind", "thôi, không đặt nữa"."""
    folded = fold(text[:MAX_CHARS]).strip()
    if is_cancel(folded):
        return True
    return len(folded) <= 80 and "?" not in folded and not _ZH_QUESTION.search(folded) \
        and bool(_LEAVE.search(folded))


def small_talk(text: str) -> str | None:
    """``thanks``, ``greet`` or ``ok`` when the whole message is only that; else None."""
    folded = fold(text[:MAX_CHARS]).strip()
    if len(folded) > 40:
        return None
    return next((kind for kind, pattern in SMALL_TALK.items() if pattern.match(folded)), None)


def is_aside(text: str, intent: str, confidence: float, requested: str | None) -> bool:
    """Whether a message is a question or wish of its own rather than an answer."""
    if not (intent.startswith("ask_") or intent in ASIDE_INTENTS):
        return False
    if confidence < ASIDE_CONFIDENCE:
        return False
    if requested in (NAME, CONTACT):
        # a name or number can look like anything: only a real question steps aside
        return "?" in text or len(text.split()) >= 4
    return True


def _tries(notes: Dict[str, Any]) -> Dict[str, int]:
    tries = notes.get("tries")
    return dict(tries) if isinstance(tries, dict) else {}


@dataclass
class _Context:
    now: dt.datetime
    language: str
    notes: Dict[str, Any]
    own_number: str | None


def _pending_day(ctx: _Context) -> "when.When | None":
    day = ctx.notes.get("day")
    return when.from_value(str(day)) if day else None


def _choose_day(reading: Reading, options: Tuple["when.When", ...], ctx: _Context,
                requested: bool, base: str | None) -> None:
    """More than one day fits: keep the ones still ahead, and ask when two remain."""
    ahead = [o for o in options if when.problem(o, ctx.now) is None] if all(
        o.complete for o in options) else [o for o in options if o.date >= ctx.now.date()]
    if len(ahead) == 1 and ahead[0].complete:
        reading.slots[TIME] = ahead[0].value
        return
    # the time question comes next, and these buttons ask it
    reading.slots[TIME] = None
    shown = ahead or list(options)
    ctx.notes["quiet"] = TIME
    reading.responses.append(replies.choose_day(
        [(summary.short_when(o.value, ctx.language), o.value) for o in shown], ctx.language))


def _check_time(reading: Reading, text: str, ctx: _Context, base: str | None,
                requested: bool) -> None:
    earlier = when.from_value(base) if base else _pending_day(ctx)
    parsed = when.parse(text, ctx.now, earlier)
    if isinstance(parsed, when.When):
        problem = when.problem(parsed, ctx.now)
        if problem:
            reading.slots[TIME] = None if requested else base
            reading.responses.append((f"utter_booking_invalid_time_{problem}", {}))
        else:
            reading.slots[TIME] = parsed.value
            ctx.notes.pop("day", None)
    elif isinstance(parsed, when.Choices):
        _choose_day(reading, parsed.options, ctx, requested, base)
    elif parsed == "no_time":
        day = when.day_of(text, ctx.now)
        if day and day < ctx.now.date():
            reading.slots[TIME] = None if requested else base
            reading.responses.append(("utter_booking_invalid_time_past", {}))
        elif day and (day - ctx.now.date()).days > when.MAX_DAYS_AHEAD:
            reading.slots[TIME] = None if requested else base
            reading.responses.append(("utter_booking_invalid_time_too_far", {}))
        elif day and earlier is not None and earlier.complete and base:
            # "change the day to saturday": the new day at the time said before
            moved = when.When(day, earlier.hour, earlier.minute, earlier.part)
            problem = when.problem(moved, ctx.now)
            if problem:
                reading.responses.append((f"utter_booking_invalid_time_{problem}", {}))
            else:
                reading.slots[TIME] = moved.value
        elif day:
            # only the time is missing: keep the day, the next question asks the time on it
            ctx.notes["day"] = day.isoformat()
            if requested or base is None:
                reading.slots[TIME] = None if requested else base
        elif requested:
            reading.slots[TIME] = None
            reading.responses.append(("utter_booking_invalid_time_no_time", {"day": ""}))
    elif requested:
        reading.slots[TIME] = None
        reason = "which_day" if parsed == "which_day" else "unclear"
        reading.responses.append((f"utter_booking_invalid_time_{reason}", {}))


def _set(reading: Reading, slot: str, value: Any, requested: bool) -> None:
    if isinstance(value, (fields.Invalid, people.Invalid)):
        if requested or value.reason != "unclear":
            reading.slots[slot] = None if requested else reading.slots.get(slot)
            reading.responses.append((f"utter_booking_invalid_{slot[8:]}_{value.reason}", {}))
            if not requested:
                reading.slots.pop(slot, None)
    elif value is not None:
        reading.slots[slot] = value


def read_message(text: str, intent: str, confidence: float, requested: str | None,
                 slots: Dict[str, Any], now: dt.datetime,
                 own_number: str | None = None, notes: Dict[str, Any] | None = None,
                 language: str | None = "en") -> Reading:
    """What ``text`` fills while the form asks for ``requested`` (None: the form starts).

    Named values anywhere in the message fill their slots ("2 people", "at 8pm",
    "225", "foot"), which is how one-line requests and corrections work; the
    rest of the message answers the requested slot. ``notes`` (the
    ``booking_notes`` slot) remember a day said without a time, the tries at
    each question and a change asked for at the last look; a changed copy is
    set in ``slots[NOTES]`` when it changes.
    """
    text = text[:MAX_CHARS]
    ctx = _Context(now, language if language in replies.LANGUAGES else "en",
                   dict(notes or {}), own_number)
    before = dict(ctx.notes)
    if is_leave(text) or text in ("handoff", "cancel"):
        reading = Reading(leave=True)
        reading.responses.append(("utter_booking_handoff" if text == "handoff"
                                  else "utter_booking_cancelled", {}))
        if text == "handoff":
            reading.responses.append(("utter_contacts", {}))
        return reading
    if requested == CONFIRMED:
        reading = _confirm(text, intent, confidence, slots, ctx)
    elif is_aside(text, intent, confidence, requested):
        return Reading()
    elif requested and small_talk(text):
        kind = small_talk(text)
        reading = Reading(slots={requested: None})
        if kind != "ok":
            reading.responses.append((f"utter_booking_small_talk_{kind}", {}))
    else:
        reading = _fill(text, intent, requested, slots, ctx)
    _count_tries(reading, requested, slots, ctx)
    if ctx.notes != before:
        reading.slots[NOTES] = ctx.notes or None
    return reading


def _fill(text: str, intent: str, requested: str | None, slots: Dict[str, Any],
          ctx: _Context) -> Reading:
    reading = Reading()
    folded = fold(text)
    cue = bool(_CUE.search(folded))
    named_only = requested == NAME and not cue
    if not named_only:
        if requested != TIME and when.has_time_words(text) and (
                requested is None or cue or re.search(r"\d", text)
                or re.search(r"[가-힣]", text) or has_han(text)):
            _check_time(reading, text, ctx, slots.get(TIME), requested=False)
        if requested != PEOPLE:
            _set(reading, PEOPLE, people.parse(text, requested=False), requested=False)
        if requested != LOCATION:
            _set(reading, LOCATION, fields.parse_location(text, requested=False), requested=False)
        if requested != MASSAGE:
            _set(reading, MASSAGE, fields.parse_massage(text, requested=False), requested=False)
        if requested not in (CONTACT, None) and re.search(r"@|\d{6,}|\+\d", text):
            _contact(reading, text, ctx)
    corrected = bool(reading.slots) or bool(reading.responses)
    if intent == "book" and requested and not corrected:
        # "I want to book" (or the "Book a session" button) while booking: ask again
        reading.slots[requested] = None
        return reading
    if requested and requested not in reading.slots and not (corrected and cue):
        answer = _answer(requested, text, ctx)
        if corrected and any(isinstance(r, tuple) and r[0].endswith("_unclear")
                             for r in answer.responses):
            # the message was about another field: no "didn't catch that" for this one
            answer.responses = []
        reading.slots.update(answer.slots)
        reading.responses.extend(answer.responses)
    if corrected and requested and slots.get(requested) is None and requested not in reading.slots:
        # a correction while another question is open: say so, then ask it again
        reading.slots[requested] = None
    if corrected and any(slots.get(s) is not None and reading.slots.get(s) not in (None, slots[s])
                         for s in reading.slots if s in FIELDS):
        reading.responses.insert(0, ("utter_booking_updated", {}))
    return reading


def _answer(requested: str, text: str, ctx: _Context) -> Reading:
    """The requested slot read from the whole message."""
    answer = Reading()
    if requested == TIME:
        _check_time(answer, text, ctx, None, requested=True)
    elif requested == PEOPLE:
        _set(answer, PEOPLE, people.parse(text, requested=True), requested=True)
    elif requested == LOCATION:
        _set(answer, LOCATION, fields.parse_location(text, requested=True), requested=True)
    elif requested == MASSAGE:
        _set(answer, MASSAGE, fields.parse_massage(text, requested=True), requested=True)
    elif requested == NAME:
        _set(answer, NAME, fields.parse_name(text), requested=True)
    elif requested == CONTACT:
        _contact(answer, text, ctx)
    return answer


def _contact(reading: Reading, text: str, ctx: _Context) -> None:
    found = fields.parse_contact(text, ctx.own_number, ctx.language)
    if isinstance(found, fields.Contact):
        reading.slots[CONTACT] = found.value
        reading.slots[CONTACT_METHOD] = found.method
    elif found.reason == "wechat":
        # no domain response for it: the reply names the contacts the team uses
        reading.slots[CONTACT] = None
        reading.responses.append(replies.refused_wechat(ctx.language))
    else:
        reading.slots[CONTACT] = None
        reading.responses.append((f"utter_booking_invalid_contact_{found.reason}", {}))


def _named(said: Said) -> str:
    """The domain response a reply is, or stands in for ("" for a computed question)."""
    return said[0] if isinstance(said, tuple) else said.name


def field_named(text: str) -> str | None:
    """The field a change names: "change the time", "đổi giờ", "인원 변경" (or a button's value)."""
    folded = fold(text[:MAX_CHARS])
    if folded.startswith("change_") and f"booking_{folded[7:]}" in FIELDS:
        return f"booking_{folded[7:]}"
    found = [slot for slot, pattern in _FIELD_WORDS if re.search(pattern, folded)]
    return found[0] if len(found) == 1 else None


def _confirm(text: str, intent: str, confidence: float, slots: Dict[str, Any],
             ctx: _Context) -> Reading:
    """The answer to the last look: Send, Change (which field), or a correction typed."""
    folded = fold(text).strip()
    changing = ctx.notes.pop("change", None)
    if folded == "send" or (len(folded) <= 40 and not _CHANGE.search(folded)
                            and (_SEND.search(folded) or _ZH_SEND.match(folded))
                            and not _NOT.search(folded.replace("dung roi", "").replace(
                                "dung vay", ""))
                            and not _CUE.search(folded)):
        return Reading(slots={CONFIRMED: True})
    wanted = field_named(text)
    if _CHANGE.search(folded) or folded == "change" or wanted and (
            changing or folded.startswith("change_")):
        correction = _fill(text, "inform_booking", None, slots, ctx)
        changed = {s: v for s, v in correction.slots.items()
                   if s in FIELDS + [CONTACT_METHOD] and v is not None}
        if changed:
            correction.slots = {**changed, CONFIRMED: None}
            if not any(isinstance(r, tuple) and r[0] == "utter_booking_updated"
                       for r in correction.responses):
                correction.responses.insert(0, ("utter_booking_updated", {}))
            return correction
        if wanted:
            # "change the time": that question again, then the last look again
            return Reading(slots={wanted: None, CONFIRMED: None})
        ctx.notes["change"] = True
        return Reading(slots={CONFIRMED: None})
    correction = _fill(text, "inform_booking", None, slots, ctx)
    changed = {s: v for s, v in correction.slots.items()
               if s in FIELDS + [CONTACT_METHOD] and v is not None and v != slots.get(s)}
    if changed:
        correction.slots = {**changed, CONFIRMED: None}
        correction.responses.insert(0, ("utter_booking_updated", {}))
        return correction
    if small_talk(text) == "thanks":
        return Reading(slots={CONFIRMED: None},
                       responses=[("utter_booking_small_talk_thanks", {})])
    return Reading(slots={CONFIRMED: None},
                   responses=[("utter_booking_invalid_confirmed_unclear", {})])


def _refused(reading: Reading, requested: str) -> bool:
    """Whether the requested question was answered with something unusable."""
    refusal = f"utter_booking_invalid_{requested[8:]}_"
    return requested in reading.slots and reading.slots[requested] is None and any(
        _named(r).startswith(refusal) for r in reading.responses)


def _count_tries(reading: Reading, requested: str | None, slots: Dict[str, Any],
                 ctx: _Context) -> None:
    """Count failed tries at a question; at the second, offer buttons to get out."""
    if not requested:
        return
    tries = _tries(ctx.notes)
    if _refused(reading, requested):
        tries[requested] = tries.get(requested, 0) + 1
        if tries[requested] >= TRIES_BEFORE_BUTTONS:
            tries.pop(requested)
            # the buttons' question says what is needed: no refusal before it
            reading.responses = [r for r in reading.responses
                                 if not _named(r).endswith(("_unclear", "_wechat"))]
            reading.responses.append(replies.stuck(requested, _likely(requested, ctx),
                                                   ctx.language))
            ctx.notes["quiet"] = requested  # the buttons ask the question this time
    elif reading.slots.get(requested) is not None:
        tries.pop(requested, None)
    if tries:
        ctx.notes["tries"] = tries
    else:
        ctx.notes.pop("tries", None)


def _likely(requested: str, ctx: _Context) -> List[Tuple[str, str]]:
    """The likely readings offered as buttons when a question failed twice: (title, payload)."""
    lang = ctx.language
    if requested == TIME:
        today = ctx.now.astimezone(when.TZ).date()
        days = [today] if ctx.now.astimezone(when.TZ).hour < 17 else []
        day = _pending_day(ctx)
        if day:
            return [(summary.short_when(when.When(day.date, part=p).value, lang),
                     when.When(day.date, part=p).value) for p in ("afternoon", "evening")]
        days += [today + dt.timedelta(days=1),
                 today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)]
        return [(summary.short_when(when.When(d, part="evening").value, lang),
                 when.When(d, part="evening").value) for d in dict.fromkeys(days)][:3]
    if requested == PEOPLE:
        return [(summary.people_text(n, lang), str(n)) for n in (1, 2, 3, 4)]
    if requested == LOCATION:
        return [(summary.location_text(v, lang), v) for v in fields.LOCATIONS]
    if requested == MASSAGE:
        return [(summary.massage_text(v, lang), v) for v in fields.MASSAGES]
    if requested == CONTACT and ctx.own_number:
        return [(ctx.own_number, ctx.own_number)]
    return []
