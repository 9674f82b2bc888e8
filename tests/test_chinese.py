"""A Chinese conversation through the running bot (`make run`'s configuration): REST,
Messenger and both WhatsApps (their providers are loopback stand-ins).

The expected replies are the domain's own zh variants: written once in
Simplified characters, and converted to Traditional (OpenCC) for a visitor
who writes Traditional (language/script.py, language/nlg.py, actions/server.py).
"""
import time
import uuid
from typing import Any, Dict, List

import pytest

from channels.signatures import hub_signature
from language.script import to_traditional
from language.texts import say
from tests.fakes import FakeProvider
from tests.support.servers import Bot
from tests.test_channels import (
    MESSENGER_SECRET,
    WHATSAPP_SECRET,
    cloud_body,
    messenger_body,
    post_cloud,
    post_messenger,
    twilio_post,
)


def zh_variant(responses: Dict[str, Any], name: str, massage_type: str | None = None) -> Dict:
    """The zh variant of response ``name`` (for ``massage_type`` where it has one)."""
    found = []
    for variant in responses[name]:
        wanted = {c["name"]: c["value"] for c in variant.get("condition") or []}
        if wanted.get("language") == "zh" and wanted.get("massage_type") in (None, massage_type):
            found.append((wanted.get("massage_type") is not None, variant))
    assert found, f"{name} has no zh variant"
    return sorted(found, key=lambda pair: not pair[0])[0][1]


def answer(reply: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The first message of a reply that has text."""
    return next(m for m in reply if m.get("text"))


def custom(reply: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The custom part of a reply (Rasa's REST channel sends it as a message of its own)."""
    return next(m["custom"] for m in reply if m.get("custom"))


def slots(bot: Bot, sender: str) -> Dict[str, Any]:
    return bot.tracker(sender)["slots"]


def test_questions_a_follow_up_and_a_safety_question_are_answered_in_chinese(
        bot: Bot, sender: str, responses: Dict[str, Any]) -> None:
    greeting = answer(bot.say("你好", sender))
    assert greeting["text"] == zh_variant(responses, "utter_greet")["text"]

    reply = bot.say("做足疗能帮我入睡吗？", sender)
    sleep = answer(reply)
    expected = zh_variant(responses, "utter_ask_sleep", "foot")
    assert sleep["text"] == expected["text"]
    assert custom(reply)["source"]["translated"]["note"] == "译自英文原文"
    assert custom(reply)["source"]["section"].startswith("2.3.")  # the English section cited
    titles = [b["title"] for b in sleep["buttons"]]
    assert titles == [b["title"] for b in expected["buttons"]]

    # the follow-up the answer offers, as a tap on its button
    frequency = next(b for b in sleep["buttons"] if b["payload"] == "/ask_frequency")
    follow_up = answer(bot.say(frequency["payload"], sender))
    assert follow_up["text"] == zh_variant(responses, "utter_ask_frequency", "foot")["text"]

    caution = answer(bot.say("我有静脉曲张，还可以做足疗吗", sender))
    assert caution["text"] == zh_variant(responses, "utter_health_caution")["text"]
    assert slots(bot, sender)["language"] == "zh"


def test_a_visitor_who_writes_traditional_is_answered_in_traditional(
        bot: Bot, sender: str, responses: Dict[str, Any]) -> None:
    reply = bot.say("做足療能幫我入睡嗎？", sender)
    sleep = answer(reply)
    simplified = zh_variant(responses, "utter_ask_sleep", "foot")
    assert sleep["text"] == to_traditional(simplified["text"]) != simplified["text"]
    assert custom(reply)["source"]["translated"]["note"] == "譯自英文原文"
    assert [b["title"] for b in sleep["buttons"]] == [
        to_traditional(b["title"]) for b in simplified["buttons"]]
    assert [b["payload"] for b in sleep["buttons"]] == [b["payload"] for b in simplified["buttons"]]
    assert slots(bot, sender)["script"] == "hant"

    # a message whose characters tell no script keeps the conversation's
    pregnancy = answer(bot.say("孕妇可以做足疗吗", sender))  # 孕妇: Simplified
    assert slots(bot, sender)["script"] == "hans"
    assert pregnancy["text"] == zh_variant(responses, "utter_ask_pregnancy", "foot")["text"]
    circulation = answer(bot.say("血液循環呢", sender))
    assert slots(bot, sender)["script"] == "hant"
    assert circulation["text"] == to_traditional(
        zh_variant(responses, "utter_ask_circulation", "foot")["text"])


def test_chinese_with_english_words_is_answered_in_chinese(
        bot: Bot, sender: str, responses: Dict[str, Any]) -> None:
    reply = answer(bot.say("foot massage 对血液循环有帮助吗", sender))
    assert reply["text"] == zh_variant(responses, "utter_ask_circulation", "foot")["text"]


def unsure_between_questions(parsed: Dict[str, Any]) -> bool:
    """Unsure, and the likeliest intents are questions ("did you mean" offers those)."""
    ranking = [i["name"] for i in parsed["intent_ranking"] if i["name"] != "nlu_fallback"]
    return parsed["intent"]["name"] == "nlu_fallback" and ranking[0].startswith("ask_")


VAGUE = ["那个怎么样", "上次说的那个", "那么然后呢", "效果呢", "脚那个", "足疗还是那个", "那按摩呢",
         "脚 怎么", "按摩效果", "按摩 血", "按了以后那个", "腿脚那个", "足疗 然后"]


@pytest.mark.parametrize("script", ["hans", "hant"])
def test_an_unclear_chinese_message_gets_did_you_mean_in_its_script(
        bot: Bot, script: str) -> None:
    from language.texts import TEXTS

    # vague messages: whichever of them the model is unsure of gets "did you mean"
    unclear = [text for text in VAGUE if unsure_between_questions(bot.parse(text))]
    # in Traditional, a message whose characters show it (脚 怎么 -> 腳 怎麼)
    shown = [text for text in unclear if to_traditional(text) != text]
    assert shown, "the model is sure of every vague message"
    message = shown[0] if script == "hans" else to_traditional(shown[0])
    reply = bot.say(message, f"zh-unclear-{script}")
    expected = TEXTS["did_you_mean"]["zh"]
    expected = to_traditional(expected) if script == "hant" else expected
    assert answer(reply)["text"] == expected
    titles = [b["title"] for b in answer(reply)["buttons"]]
    talk = TEXTS["talk_to_spa"]["zh"]
    assert titles[-1] == (to_traditional(talk) if script == "hant" else talk)
    assert len(titles) >= 2


# --- WhatsApp and Messenger, through the loopback stand-ins for Twilio and Meta -------

def test_messenger_answers_a_traditional_question_in_traditional(
        bot: Bot, provider: FakeProvider, responses: Dict[str, Any]) -> None:
    sender, mark = f"psid-zh-{uuid.uuid4().hex[:8]}", provider.mark()
    body = messenger_body(sender, "做足療能幫我入睡嗎？")
    assert post_messenger(bot, body, hub_signature(MESSENGER_SECRET, body)).status_code == 200
    sent = [r.json() for r in provider.wait_for("/me/messages", mark, count=3, match=sender)
            if b'"message"' in r.body]
    texts = " ".join(r["message"].get("text", "") for r in sent)
    variant = zh_variant(responses, "utter_ask_sleep", "foot")
    assert to_traditional(variant["text"]) in texts
    assert "來源：《" in texts and "（譯自英文原文）" in texts
    quick = [q for r in sent for q in r["message"].get("quick_replies", [])]
    assert [q["title"] for q in quick][:len(variant["buttons"])] == [
        to_traditional(b["title"])[:20] for b in variant["buttons"]]


def twilio_bodies(provider: FakeProvider, sender: str, since: int, wanted: str) -> str:
    """What the bot sent ``sender`` through Twilio since ``since``, once ``wanted`` is in it."""
    deadline, sent = time.monotonic() + 20, ""
    while time.monotonic() < deadline:
        sent = "\n".join(r.form()["Body"] for r in provider.sent_to("/Messages.json", since)
                         if r.form()["To"] == sender)
        if wanted in sent:
            break
        time.sleep(0.1)
    return sent


def test_whatsapp_numbers_the_chinese_menu_and_a_number_picks_it(
        bot: Bot, provider: FakeProvider, responses: Dict[str, Any]) -> None:
    sender, mark = f"whatsapp:+86138{uuid.uuid4().int % 10**8:08d}", provider.mark()
    response, _ = twilio_post(bot, sender, "做足疗能帮我入睡吗")
    assert response.status_code == 200
    variant = zh_variant(responses, "utter_ask_sleep", "foot")
    titles = [b["title"] for b in variant["buttons"]] + ["👍", "👎"]
    menu = "\n".join(f"{n}. {t}" for n, t in enumerate(titles, start=1))
    body = twilio_bodies(provider, sender, mark, say("reply_with_number", "zh"))
    assert variant["text"] in body and menu in body and "/ask_" not in body

    number = next(n for n, b in enumerate(variant["buttons"], start=1)
                  if b["payload"] == "/ask_frequency")
    mark = provider.mark()
    twilio_post(bot, sender, str(number))
    frequency = zh_variant(responses, "utter_ask_frequency", "foot")["text"]
    assert frequency in twilio_bodies(provider, sender, mark, frequency)


def test_whatsapp_cloud_lists_chinese_questions_under_chinese_labels(
        bot: Bot, provider: FakeProvider) -> None:
    sender, mark = f"86139{uuid.uuid4().int % 10**8:08d}", provider.mark()
    body = cloud_body(sender, {"type": "text", "text": {"body": "做足疗能帮我入睡吗"}})
    assert post_cloud(bot, body, hub_signature(WHATSAPP_SECRET, body)).status_code == 200
    sent = [r.json() for r in provider.wait_for("/1234567890/messages", mark, match=sender)
            if b'"status": "read"' not in r.body]
    interactive = [r["interactive"] for r in sent if r["type"] == "interactive"]
    assert interactive and interactive[0]["type"] == "list"
    assert interactive[0]["action"]["button"] == say("options", "zh")
    assert interactive[0]["action"]["sections"][0]["title"] == say("questions", "zh")
