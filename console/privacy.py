"""Phone numbers and e-mail addresses are masked unless a staff member reveals them.

Sender ids (often phone numbers) are shown as pseudonyms: a keyed hash with
``PSEUDONYM_KEY`` (or the console's secret key), stable while the key is.
"""
import hashlib
import hmac
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")


def mask(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced."""
    text = EMAIL.sub("[e-mail hidden]", text or "")
    return PHONE.sub("[phone hidden]", text)


def pseudonym(sender_id: str, key: str) -> str:
    """A stable stand-in for a sender id (a phone number, a page-scoped id): keyed HMAC."""
    digest = hmac.new(key.encode("utf-8"), sender_id.encode("utf-8"), hashlib.sha256)
    return "v-" + digest.hexdigest()[:16]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula (a leading ' when needed)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
