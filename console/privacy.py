"""Phone numbers and e-mail addresses are masked unless a staff member reveals them.

Sender ids (often phone numbers) are shown as pseudonyms: a keyed hash with
``PSEUDONYM_KEY`` (or the console's secret key), stable while the key is.
"""
import re

from storage.pseudonyms import pseudonym

__all__ = ["initials", "mask", "pseudonym", "spreadsheet_safe"]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{6,}\d(?![\w])")


def mask(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced."""
    text = EMAIL.sub("[e-mail hidden]", text or "")
    return PHONE.sub("[phone hidden]", text)


def initials(name: str) -> str:
    """A visitor's name as the booking export carries it: "Nguyễn Thị Lan" -> "N. T. L."."""
    return " ".join(word[0] + "." for word in (name or "").split())


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula (a leading ' when needed)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
