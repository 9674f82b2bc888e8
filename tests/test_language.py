"""Language detection: the pure detector, the NLU component, and the running bot."""
from typing import Any, Dict, List

import pytest
import requests

from language.detect import detect, detect_by_rules, language_or
from tests.support.servers import Bot


@pytest.mark.parametrize("text", [
    "massage chan co giup ngu ngon khong",
    "toi muon dat lich",
    "spa o dau vay",
    "cam on",
    "khong",
    "xin chao",
])
def test_vietnamese_without_diacritics_is_vietnamese(text: str) -> None:
    assert detect(text) == "vi"


@pytest.mark.parametrize("text", [
    "massage chân có giúp ngủ ngon không?",
    "giá?",
    "chào",
    "vâng",
    "tôi muốn đặt lịch",
])
def test_vietnamese_with_diacritics_is_vietnamese(text: str) -> None:
    assert detect(text) == "vi"


@pytest.mark.parametrize(
    "text", ["발마사지가 수면에 도움이 되나요?", "안녕", "네", "지압", "Panda Spa 위치"])
def test_hangul_is_korean(text: str) -> None:
    assert detect(text) == "ko"


@pytest.mark.parametrize("text", [
    "does foot massage help with sleep?", "hello", "thanks", "no", "yes please", "perfect",
])
def test_english_is_english(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize("text", [
    "foot massage giá bao nhiêu",
    "foot massage co tot khong",
    "book massage cho 2 nguoi",
    "booking online duoc khong",
    "I want massage chân",
])
def test_mixed_english_and_vietnamese_is_vietnamese(text: str) -> None:
    assert detect(text) == "vi"


@pytest.mark.parametrize("text", [
    "👍", "😊😊", "🙏", "❤️", "1", "15", "2.", "100%", "ok", "OK", "Ok!", "okay", "?", "...",
    "ok 👍", "+84 38 396 7775", "", "   ",
])
def test_emoji_numbers_and_ok_tell_no_language(text: str) -> None:
    assert detect(text) is None


def test_a_message_without_a_language_keeps_the_last_one() -> None:
    assert language_or("👍", "ko") == "ko"


def test_an_unknown_fallback_becomes_english() -> None:
    assert language_or("👍", "fr") == "en"


def test_the_rules_leave_unknown_words_to_the_model() -> None:
    assert detect_by_rules("relaxing") == "?"


def test_nothing_is_loaded_at_import_time() -> None:
    import importlib
    import sys

    sys.modules.pop("language.detect", None)
    module = importlib.import_module("language.detect")
    assert module._lingua.cache_info().currsize == 0


# --- the NLU component -------------------------------------------------------

def _process(text: str, metadata: Dict[str, Any] | None = None) -> List[Dict[str, Any]]:
    from rasa.shared.nlu.training_data.message import Message

    from language.component import LanguageDetector

    message = Message(data={"text": text, "metadata": metadata or {}})
    LanguageDetector().process([message])
    return [e for e in message.get("entities", []) if e["entity"] == "language"]


def test_the_component_tags_a_message_with_its_language() -> None:
    assert [e["value"] for e in _process("cam on ban nhieu")] == ["vi"]


def test_the_component_adds_no_entity_when_the_language_cannot_be_told() -> None:
    assert _process("👍") == []


def test_the_metadata_hint_counts_only_when_the_text_tells_nothing() -> None:
    assert [e["value"] for e in _process("ok", {"language": "ko"})] == ["ko"]
    assert [e["value"] for e in _process("xin chao", {"language": "ko"})] == ["vi"]


def test_an_unknown_metadata_hint_is_ignored() -> None:
    assert _process("ok", {"language": "fr"}) == []


# --- through the running bot -------------------------------------------------

def _say(bot: Bot, sender: str, text: str) -> List[Dict[str, Any]]:
    response = requests.post(f"{bot.url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=30)
    response.raise_for_status()
    return response.json()


def _text(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_a_visitor_who_switches_language_gets_the_new_language_from_then_on(
        bot: Bot, sender: str) -> None:
    assert "welcome to Panda Spa" in _text(_say(bot, sender, "hello"))
    assert "chào mừng bạn đến với Panda Spa" in _text(_say(bot, sender, "xin chao"))
    assert "환영합니다" in _text(_say(bot, sender, "안녕하세요"))
    assert "chào mừng bạn đến với Panda Spa" in _text(_say(bot, sender, "chào bạn"))


def test_an_emoji_only_message_keeps_the_last_language(bot: Bot, sender: str) -> None:
    _say(bot, sender, "안녕하세요")
    _say(bot, sender, "👍")
    assert "환영합니다" in _text(_say(bot, sender, "/greet"))


async def test_the_pages_greeting_in_its_language_is_accepted_unoffered() -> None:
    from channels.guard import checked_payload

    assert await checked_payload(None, "web:x", '/greet{"language":"vi"}') == \
        '/greet{"language":"vi"}'
