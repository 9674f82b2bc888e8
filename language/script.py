"""Simplified and Traditional Chinese: read either, answer in the visitor's own.

The bot's Chinese is written once, in Simplified characters (the domain's
``zh`` variants). A message in Traditional characters is read as its
Simplified form, so the NLU and the booking parsers see one script, and the
replies to it are converted to Traditional (Taiwan's standard characters) with
OpenCC, the converter the Chinese-speaking world maintains, rather than with a
table of our own. The ``script`` slot remembers which one the visitor writes.
"""
from functools import cache
from typing import Any, Dict

from language.detect import has_han

HANS, HANT = "hans", "hant"
SCRIPTS = (HANS, HANT)


@cache
def _converter(config: str) -> Any:
    """An OpenCC converter, made on first use (``t2s.json``, ``s2tw.json``)."""
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters written in Simplified ones."""
    return _converter("t2s.json").convert(text) if text and has_han(text) else text


def to_traditional(text: str) -> str:
    """``text`` with Simplified characters written in Traditional ones (Taiwan)."""
    return _converter("s2tw.json").convert(text) if text and has_han(text) else text


def script_of(text: str) -> str | None:
    """``"hant"`` or ``"hans"`` for Chinese text that shows its script; None otherwise.

    Many characters (按摩, 可以, 脚) are written alike in both: a message made
    only of those tells nothing, and the conversation keeps its script.
    """
    if not text or not has_han(text):
        return None
    if to_simplified(text) != text:
        return HANT
    if to_traditional(text) != text:
        return HANS
    return None


def in_script(text: str, script: str | None) -> str:
    """Simplified ``text`` as the visitor writes: converted when the script is Traditional."""
    return to_traditional(text) if script == HANT else text


def message_in_script(message: Dict[str, Any], script: str | None) -> Dict[str, Any]:
    """A bot message (text, button and link titles, translated source) in ``script``.

    Payloads, URLs and every other field are left as they are; the message is
    returned unchanged unless the script is Traditional.
    """
    if script != HANT or not isinstance(message, dict):
        return message
    converted = dict(message)
    if isinstance(converted.get("text"), str):
        converted["text"] = to_traditional(converted["text"])
    for key in ("buttons", "quick_replies"):
        if isinstance(converted.get(key), list):
            converted[key] = [_titled(button) for button in converted[key]]
    custom = converted.get("custom")
    if isinstance(custom, dict):
        converted["custom"] = _custom_in_traditional(custom)
    metadata = converted.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("question"), str):
        converted["metadata"] = {**metadata, "question": to_traditional(metadata["question"])}
    return converted


def _titled(button: Any) -> Any:
    if isinstance(button, dict) and isinstance(button.get("title"), str):
        return {**button, "title": to_traditional(button["title"])}
    return button


def _custom_in_traditional(custom: Dict[str, Any]) -> Dict[str, Any]:
    """The translated source's article, section and note; links' titles."""
    converted = dict(custom)
    source = custom.get("source")
    translated = source.get("translated") if isinstance(source, dict) else None
    if isinstance(source, dict) and isinstance(translated, dict):
        converted["source"] = {**source, "translated": {
            key: to_traditional(value) if isinstance(value, str) else value
            for key, value in translated.items()}}
    for key in ("links", "buttons"):
        if isinstance(custom.get(key), list):
            converted[key] = [_titled(link) for link in custom[key]]
    return converted
