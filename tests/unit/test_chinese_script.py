"""Chinese: detected among the bot's languages, read in either script, answered in the visitor's."""
from typing import Any, Dict

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from channels.render import Reply
from language.component import ChineseScript, LanguageDetector, TextAsTyped
from language.detect import detect
from language.script import (
    HANS,
    HANT,
    in_script,
    message_in_script,
    script_of,
    to_simplified,
    to_traditional,
)
from language.texts import TEXTS, say


@pytest.mark.parametrize("text", [
    "做足疗能帮我入睡吗?",
    "做足療能幫我入睡嗎？",
    "foot massage 对失眠有用吗",
    "明天晚上7点 2个人",
    "足疗",
    "请问 spa 在哪里",
])
def test_chinese_in_either_script_and_mixed_with_english_is_chinese(text: str) -> None:
    assert detect(text) == "zh"


@pytest.mark.parametrize("text,language", [
    ("マッサージは睡眠に効きますか", None),  # Japanese kana: not a language of the bot
    ("발마사지 足疗", "ko"),  # Hangul wins, as before Chinese was added
    ("massage chan co giup ngu ngon khong", "vi"),
    ("does foot massage help with sleep?", "en"),
])
def test_other_scripts_are_not_read_as_chinese(text: str, language: str | None) -> None:
    assert detect(text) == language


@pytest.mark.parametrize("text,script", [
    ("做足疗能帮我入睡吗", HANS),
    ("做足療能幫我入睡嗎", HANT),
    ("孕妇可以做足疗吗", HANS),
    ("孕婦可以做足療嗎", HANT),
    ("按摩", None),  # written alike in both: tells nothing
    ("ok", None),
    ("", None),
])
def test_the_script_is_told_only_by_characters_that_differ(text: str, script: str | None) -> None:
    assert script_of(text) == script


def test_traditional_is_read_as_simplified_and_simplified_is_written_as_traditional() -> None:
    assert to_simplified("經期可以做腳底按摩嗎") == "经期可以做脚底按摩吗"
    assert to_traditional("足疗有助于睡眠和血液循环") == "足療有助於睡眠和血液循環"
    assert to_simplified("massage chân") == "massage chân"  # no Chinese: untouched
    assert in_script("预约", HANS) == "预约" and in_script("预约", HANT) == "預約"


def test_a_message_for_a_traditional_reader_keeps_payloads_urls_and_other_fields() -> None:
    message: Dict[str, Any] = {
        "text": "足疗可以促进血液循环。",
        "buttons": [{"title": "预约", "payload": '/book{"massage_type": "foot"}'},
                    {"title": "热线", "url": "tel:+84708185397", "type": "web_url"}],
        "metadata": {"question": "足疗对血液循环有帮助吗？"},
        "custom": {"kind": "answer", "language": "zh", "source": {
            "file": "foot-massage-benefits-panda-spa.txt", "section": "1.3",
            "translated": {"article": "Panda Spa 足疗益处指南", "note": "译自英文原文"}}},
    }
    converted = message_in_script(message, HANT)
    assert converted["text"] == "足療可以促進血液循環。"
    assert [b["title"] for b in converted["buttons"]] == ["預約", "熱線"]
    assert [b.get("payload") for b in converted["buttons"]] == [
        '/book{"massage_type": "foot"}', None]
    assert converted["buttons"][1]["url"] == "tel:+84708185397"
    assert converted["metadata"]["question"] == "足療對血液循環有幫助嗎？"
    assert converted["custom"]["source"]["translated"] == {
        "article": "Panda Spa 足療益處指南", "note": "譯自英文原文"}
    assert converted["custom"]["source"]["file"] == "foot-massage-benefits-panda-spa.txt"
    assert message["text"] == "足疗可以促进血液循环。"  # the domain's own copy is untouched
    assert message_in_script(message, HANS) is message
    assert message_in_script(message, None) is message


def test_a_rendered_reply_converts_what_the_channel_adds_itself() -> None:
    reply = Reply.from_rasa({"text": "足疗", "buttons": [{"title": "预约", "payload": "/book"}],
                             "custom": {"kind": "answer", "language": "zh", "source": {
                                 "file": "x", "article": "A", "section": "S",
                                 "translated": {"article": "指南", "section": "睡眠",
                                                "note": "译自英文原文"}}}}, "zh")
    assert reply.source is not None and reply.source.startswith(say("source", "zh"))
    traditional = reply.in_script(HANT)
    assert traditional.text == "足療" and traditional.choices[0].title == "預約"
    assert traditional.source is not None and "譯自英文原文" in traditional.source
    assert traditional.choices[0].payload == "/book"
    english = Reply(text="Foot massage", language="en")
    assert english.in_script(HANT) is english


def test_every_text_the_bot_says_itself_has_chinese() -> None:
    missing = sorted(key for key, texts in TEXTS.items() if not texts.get("zh"))
    assert missing == []
    assert say("slow_down", "zh", HANT) == to_traditional(TEXTS["slow_down"]["zh"])
    assert say("slow_down", "zh", HANT) != TEXTS["slow_down"]["zh"]


def _processed(component: Any, text: str) -> Message:
    message = Message(data={TEXT: text})
    component.process([message])
    return message


def test_the_pipeline_reads_traditional_as_simplified_and_notes_the_script() -> None:
    script = ChineseScript()
    traditional = _processed(script, "孕婦可以做足療嗎")
    assert traditional.get(TEXT) == "孕妇可以做足疗吗"
    assert [(e["entity"], e["value"]) for e in traditional.get(ENTITIES)] == [("script", HANT)]
    simplified = _processed(script, "孕妇可以做足疗吗")
    assert simplified.get(TEXT) == "孕妇可以做足疗吗"
    assert [(e["entity"], e["value"]) for e in simplified.get(ENTITIES)] == [("script", HANS)]
    assert _processed(script, "hello").get(ENTITIES, []) == []
    tagged = _processed(LanguageDetector(), "孕妇可以做足疗吗")
    assert [(e["entity"], e["value"]) for e in tagged.get(ENTITIES)] == [("language", "zh")]


def test_training_examples_in_traditional_are_read_as_simplified() -> None:
    data = TrainingData([Message(data={TEXT: "腳底按摩有用嗎", "intent": "ask_foot_benefits"}),
                         Message(data={TEXT: "sleep", "intent": "ask_sleep"})])
    ChineseScript().process_training_data(data)
    assert [m.get(TEXT) for m in data.training_examples] == ["脚底按摩有用吗", "sleep"]


def test_the_words_as_typed_come_back_after_the_pipeline() -> None:
    """The classifier reads Simplified; the actions and transcripts get the visitor's own."""
    message = _processed(ChineseScript(), "我叫陳先生")
    assert message.get(TEXT) == "我叫陈先生"
    TextAsTyped().process([message])
    assert message.get(TEXT) == "我叫陳先生"
    assert "text_as_typed" not in message.as_dict()
    simplified = _processed(ChineseScript(), "我叫陈先生")
    TextAsTyped().process([simplified])
    assert simplified.get(TEXT) == "我叫陈先生"
