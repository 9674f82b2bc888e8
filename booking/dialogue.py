"""What one visitor message fills in a booking request, and what to say about it.

``read_message`` is the whole form-filling logic: the Rasa validation action
only passes the message and the slots in, and turns the result into events.
"""
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from booking import fields, when
from booking.when import fold

TIME, PEOPLE, LOCATION, MASSAGE, NAME, CONTACT = (
    "booking_time", "booking_people", "booking_location", "booking_massage", "booking_name",
    "booking_contact")
CONTACT_METHOD = "booking_contact_method"
REQUIRED = [TIME, PEOPLE, LOCATION, MASSAGE, NAME, CONTACT]
ALL_SLOTS = REQUIRED + [CONTACT_METHOD]

# Intents that, said with confidence, are a question or a wish of their own:
# the form steps aside (rules answer, then the form asks again).
ASIDE_INTENTS = frozenset({"contact", "ask_location", "ask_prices", "ask_opening_hours",
                           "bot_challenge", "cancel_booking"})
ASIDE_CONFIDENCE = 0.6
# A name or a phone number tells no language ("Lan Nguyen" is not Vietnamese
# speech): while these are asked, the conversation keeps its language.
KEEP_LANGUAGE_FOR = frozenset({NAME, CONTACT})
WHATSAPP_CHANNELS = frozenset({"twilio_whatsapp", "whatsapp"})

_CANCEL = re.compile(r"^\W*(?:cancel|stop|quit|forget it|huy|huy bo|thoi|dung lai"
                     r"|khong dat nua|취소|그만)(?:\s+(?:it|that|the booking|booking|please|pls"
                     r"|dat lich|nhe|di|해줘|할게요|해 주세요))*\W*$", re.IGNORECASE)
_CUE = re.compile(r"\b(?:change|changed|actually|instead|make it|correction|update|wrong|sorry"
                  r"|doi|thay|sua|thuc ra|nham)\b|변경|바꿔|바꾸|말고|수정|아니")


@dataclass
class Reading:
    """Slot values to set (None clears a bad answer) and responses to send, in order."""

    slots: Dict[str, Any] = field(default_factory=dict)
    responses: List[Tuple[str, Dict[str, Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing for the form: the message was something else (a question, "cancel")."""
        return not self.slots and not self.responses


def whatsapp_number(channel: str | None, sender_id: str) -> str | None:
    """The visitor's own number when they write on WhatsApp (Twilio or the Cloud API)."""
    if channel not in WHATSAPP_CHANNELS:
        return None
    digits = re.sub(r"\D", "", sender_id.split(":", 1)[-1])
    return f"+{digits}" if 9 <= len(digits) <= 15 else None


def is_cancel(text: str) -> bool:
    """Whether the message only asks to stop: "cancel", "stop", "hủy", "huy", "취소"."""
    return bool(_CANCEL.match(fold(text).strip()))


def is_aside(text: str, intent: str, confidence: float, requested: str | None) -> bool:
    """Whether a message is a question or wish of its own rather than an answer."""
    if is_cancel(text):
        return True
    if not (intent.startswith("ask_") or intent in ASIDE_INTENTS):
        return False
    if confidence < ASIDE_CONFIDENCE:
        return False
    if requested in (NAME, CONTACT):
        # a name or number can look like anything: only a real question steps aside
        return "?" in text or len(text.split()) >= 4
    return True


def _check_time(reading: Reading, text: str, now: dt.datetime, base: str | None,
                requested: bool) -> None:
    parsed = when.parse(text, now, when.from_value(base) if base else None)
    if isinstance(parsed, when.When):
        problem = when.problem(parsed, now)
        if problem:
            reading.slots[TIME] = None if requested else base
            reading.responses.append((f"utter_booking_invalid_time_{problem}", {}))
        else:
            reading.slots[TIME] = parsed.value
    elif requested:
        reading.slots[TIME] = None
        reason = "no_time" if parsed == "no_time" else "unclear"
        reading.responses.append((f"utter_booking_invalid_time_{reason}", {}))


def _set(reading: Reading, slot: str, value: Any, requested: bool) -> None:
    if isinstance(value, fields.Invalid):
        if requested or value.reason != "unclear":
            reading.slots[slot] = None if requested else reading.slots.get(slot)
            reading.responses.append((f"utter_booking_invalid_{slot[8:]}_{value.reason}", {}))
            if not requested:
                reading.slots.pop(slot, None)
    elif value is not None:
        reading.slots[slot] = value


def read_message(text: str, intent: str, confidence: float, requested: str | None,
                 slots: Dict[str, Any], now: dt.datetime,
                 own_number: str | None = None) -> Reading:
    """What ``text`` fills while the form asks for ``requested`` (None: the form starts).

    Named values anywhere in the message fill their slots ("2 people", "at 8pm",
    "225", "foot"), which is how one-line requests and corrections work; the
    rest of the message answers the requested slot.
    """
    reading = Reading()
    if is_aside(text, intent, confidence, requested):
        return reading
    folded = fold(text)
    cue = bool(_CUE.search(folded))
    named_only = requested == NAME and not cue
    if not named_only:
        if requested != TIME and when.has_time_words(text) and (
                requested is None or cue or re.search(r"\d", text)):
            _check_time(reading, text, now, slots.get(TIME), requested=False)
        if requested != PEOPLE:
            _set(reading, PEOPLE, fields.parse_people(text, requested=False), requested=False)
        if requested != LOCATION:
            _set(reading, LOCATION, fields.parse_location(text, requested=False), requested=False)
        if requested != MASSAGE:
            _set(reading, MASSAGE, fields.parse_massage(text, requested=False), requested=False)
        if requested not in (CONTACT, None) and re.search(r"@|\d{6,}|\+\d", text):
            _contact(reading, text, own_number)
    corrected = bool(reading.slots) or bool(reading.responses)
    if intent == "book" and requested and not corrected:
        # "I want to book" (or the "Book a session" button) while booking: ask again
        reading.slots[requested] = None
        return reading
    if requested and requested not in reading.slots and not (corrected and cue):
        answer = _answer(requested, text, now, own_number)
        if corrected and any(r.endswith("_unclear") for r, _ in answer.responses):
            # the message was about another field: no "didn't catch that" for this one
            answer.responses = []
        reading.slots.update(answer.slots)
        reading.responses.extend(answer.responses)
    if corrected and requested and slots.get(requested) is None and requested not in reading.slots:
        # a correction while another question is open: say so, then ask it again
        reading.slots[requested] = None
    if corrected and any(slots.get(s) is not None and reading.slots.get(s) not in (None, slots[s])
                         for s in reading.slots):
        reading.responses.insert(0, ("utter_booking_updated", {}))
    return reading


def _answer(requested: str, text: str, now: dt.datetime, own_number: str | None) -> Reading:
    """The requested slot read from the whole message."""
    answer = Reading()
    if requested == TIME:
        _check_time(answer, text, now, None, requested=True)
    elif requested == PEOPLE:
        _set(answer, PEOPLE, fields.parse_people(text, requested=True), requested=True)
    elif requested == LOCATION:
        _set(answer, LOCATION, fields.parse_location(text, requested=True), requested=True)
    elif requested == MASSAGE:
        _set(answer, MASSAGE, fields.parse_massage(text, requested=True), requested=True)
    elif requested == NAME:
        _set(answer, NAME, fields.parse_name(text), requested=True)
    elif requested == CONTACT:
        _contact(answer, text, own_number)
    return answer


def _contact(reading: Reading, text: str, own_number: str | None) -> None:
    found = fields.parse_contact(text, own_number)
    if isinstance(found, fields.Contact):
        reading.slots[CONTACT] = found.value
        reading.slots[CONTACT_METHOD] = found.method
    else:
        reading.slots[CONTACT] = None
        reading.responses.append((f"utter_booking_invalid_contact_{found.reason}", {}))
