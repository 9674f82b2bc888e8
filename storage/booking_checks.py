"""Booking requests checked again where they are stored, whoever sent them.

The form validates every answer as the visitor gives it (``booking.dialogue``),
but the action server only sees the slot values Rasa sends: a request is
stored only when each value has the shape the form gives it.
"""
import datetime as dt
import re
import unicodedata
from typing import Any, Dict, Mapping

from booking import when
from language.detect import LANGUAGES

LOCATIONS = ("229", "225", "either")
MASSAGES = ("foot", "body", "unsure")
CONTACT_METHODS = ("phone", "whatsapp", "email")
MAX_PEOPLE = 20
MAX_NAME_CHARS = 80
MAX_CONTACT_CHARS = 120
MAX_SENDER_CHARS = 255
PHONE = re.compile(r"^\+\d{9,15}$")
EMAIL = re.compile(r"^[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}$")
NOT_IN_NAMES = re.compile(r"[<>{}\[\]/\\=@#$%^*|~`]")
CHANNEL = re.compile(r"^[a-z_]{0,50}$")
TIME_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2} (?:\d{2}:\d{2}|morning|afternoon|evening)$")
CLIENT_KEY = re.compile(r"^[0-9a-f]{16,64}$")


class InvalidBooking(ValueError):
    """A value the form would never have accepted."""


def _text(values: Mapping[str, Any], name: str, limit: int) -> str:
    value = values.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidBooking(f"{name} must be text of 1 to {limit} characters")
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise InvalidBooking(f"{name} has control characters")
    return value.strip()


def checked(values: Mapping[str, Any], today: dt.datetime | None = None) -> Dict[str, Any]:
    """The request's values, checked; ``InvalidBooking`` names the first that is wrong."""
    row = dict(values)
    row["sender_id"] = _text(values, "sender_id", MAX_SENDER_CHARS)
    requested = _text(values, "requested_time", 40)
    wanted = when.from_value(requested) if TIME_VALUE.match(requested) else None
    if wanted is None:
        raise InvalidBooking("requested_time must look like 2026-11-23 19:00 or 2026-11-23 evening")
    if when.problem(wanted, today or dt.datetime.now(dt.timezone.utc)):
        raise InvalidBooking("requested_time is in the past or too far ahead")
    people = values.get("people")
    if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= MAX_PEOPLE:
        raise InvalidBooking(f"people must be a whole number from 1 to {MAX_PEOPLE}")
    for name, allowed in (("location", LOCATIONS), ("massage", MASSAGES),
                          ("contact_method", CONTACT_METHODS), ("language", LANGUAGES)):
        if values.get(name) not in allowed:
            raise InvalidBooking(f"{name} must be one of {', '.join(allowed)}")
    name = _text(values, "name", MAX_NAME_CHARS)
    if NOT_IN_NAMES.search(name):
        raise InvalidBooking("name has characters a name does not")
    contact = _text(values, "contact", MAX_CONTACT_CHARS)
    pattern = EMAIL if values["contact_method"] == "email" else PHONE
    if not pattern.match(contact):
        raise InvalidBooking(f"contact is not a {values['contact_method']} contact")
    channel = values.get("channel") or ""
    if not isinstance(channel, str) or not CHANNEL.match(channel):
        raise InvalidBooking("channel must be a channel's name")
    client_key = values.get("client_key")
    if client_key is not None and (not isinstance(client_key, str)
                                   or not CLIENT_KEY.match(client_key)):
        raise InvalidBooking("client_key must be a hex digest")
    row.update(requested_time=requested, name=name, contact=contact, channel=channel)
    return row
