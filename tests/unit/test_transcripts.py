"""console/transcripts.py: a photo or sticker only the channel answered: a turn, no question."""
import json
from typing import Any, Dict, List, NamedTuple

from console.transcripts import VISITOR_SENT, conversations


class Row(NamedTuple):
    id: int
    sender_id: str
    type_name: str
    data: str


def rows(sender: str, events: List[Dict[str, Any]]) -> List[Row]:
    return [Row(i, sender, e["event"], json.dumps(e)) for i, e in enumerate(events, 1)]


def media_reply(kind: str, timestamp: float, text: str = "") -> Dict[str, Any]:
    """The bot event a channel stores for its reply to a photo, sticker or emoji."""
    return {"event": "bot", "timestamp": timestamp, "text": "I can only read text",
            "data": {"buttons": [{"title": "Call Hotline 1", "type": "web_url",
                                  "url": "tel:+84708185397"}]},
            "metadata": {"sent_by": "channel",
                         "reply_to": {"channel": "messenger", "kind": kind, "text": text}}}


QUESTION = {"event": "user", "timestamp": 20.0, "text": "does it help sleep?",
            "input_channel": "messenger",
            "parse_data": {"intent": {"name": "ask_sleep", "confidence": 0.9}}}
ANSWER = {"event": "bot", "timestamp": 21.0, "text": "A gentle foot massage...",
          "metadata": {"utter_action": "utter_ask_sleep"}}


def test_a_photo_is_a_turn_with_the_channels_reply_but_not_a_question() -> None:
    found = conversations(rows("p1", [media_reply("media", 10.0), QUESTION, ANSWER]))
    conversation = found["p1"]
    media, question = conversation.turns
    assert (media.text, media.channel, media.is_media, media.is_question) == (
        VISITOR_SENT["media"], "messenger", True, False)
    assert media.answer_text == "I can only read text\n[Call Hotline 1]"
    assert not media.fallback and not media.handoff
    assert conversation.questions == [question]
    assert conversation.first_question == "does it help sleep?"
    assert question.answer_text == "A gentle foot massage..."


def test_emoji_are_shown_as_sent_and_a_sticker_by_name() -> None:
    found = conversations(rows("p2", [media_reply("emoji", 10.0, "👍😊"),
                                      media_reply("sticker", 11.0)]))
    assert [t.text for t in found["p2"].turns] == ["👍😊", VISITOR_SENT["sticker"]]


def test_a_reply_to_media_that_was_not_delivered_is_flagged_on_its_turn() -> None:
    note = {"event": "bot", "timestamp": 30.5, "text": None, "metadata": {"not_delivered": {
        "channel": "whatsapp", "answer_time": 30.0, "status": 400, "error_code": 131047}}}
    found = conversations(rows("p3", [QUESTION, ANSWER, media_reply("media", 30.0), note]))
    question, media = found["p3"].turns
    assert question.not_delivered == []
    assert [(a.text, a.error_code) for a in media.not_delivered] == [
        ("I can only read text", 131047)]
