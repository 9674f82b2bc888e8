"""Turn Rasa's stored events into conversations and turns staff can read.

Pure functions over event rows (id, sender_id, type_name, data): a turn is a
visitor message with what the bot answered (as the visitor received it:
buttons, and the apology and contacts a channel sent itself), its intent and
confidence, its language, whether it fell back or handed off, whether a reply
was not delivered, and the 👍 / 👎 it got (from a button or a reaction). A
photo, voice note, sticker or emoji the bot never saw is a turn too, with the
channel's reply, but not a question.
"""
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List

from actions.catalog import source_text
from language.detect import LANGUAGES

FALLBACK_ACTIONS = {"action_suggest_questions", "action_default_fallback"}
HANDOFF_RESPONSES = {"utter_contacts"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = [("en", "English"), ("vi", "Vietnamese"), ("ko", "Korean"), ("zh", "Chinese")]
NOT_DELIVERED = "not_delivered"  # bot event metadata (channels/delivery.py)
REPLY_TO = "reply_to"  # bot event metadata: the channel's reply to a photo, sticker...
# What the visitor sent, for a channel's reply to something the bot never saw.
VISITOR_SENT = {"media": "(sent a photo, voice note, video, file or location)",
                "sticker": "(sent a sticker)", "emoji": "(sent emoji)"}


@dataclass
class BotMessage:
    """One thing the bot said."""

    text: str
    response: str = ""
    source: str = ""
    kind: str = ""
    buttons: List[str] = field(default_factory=list)
    time: float | None = None
    delivered: bool = True
    error_code: int | None = None
    sent_by_channel: bool = False


@dataclass
class Turn:
    """A visitor message and the bot's reply to it."""

    event_id: int
    time: dt.datetime
    text: str
    intent: str
    confidence: float
    channel: str
    answers: List[BotMessage] = field(default_factory=list)
    fallback: bool = False
    handoff: bool = False
    rating: str | None = None
    is_feedback: bool = False
    gave_rating: str | None = None
    reaction: str = ""
    language: str = DEFAULT_LANGUAGE
    is_media: bool = False

    @property
    def is_question(self) -> bool:
        """Whether the visitor asked something (not a 👍 / 👎, not a photo or sticker)."""
        return not (self.is_feedback or self.is_media)

    @property
    def answer_text(self) -> str:
        """Everything the bot said in reply, one message a line (buttons in brackets)."""
        lines = []
        for answer in self.answers:
            if answer.text:
                lines.append(answer.text)
            if answer.buttons:
                lines.append(" ".join(f"[{title}]" for title in answer.buttons))
        return "\n".join(lines)

    @property
    def not_delivered(self) -> List[BotMessage]:
        """The replies that never reached the visitor."""
        return [a for a in self.answers if not a.delivered]

    @property
    def source(self) -> str:
        """The source of the sourced answer in the reply, if any."""
        return next((a.source for a in self.answers if a.source), "")


@dataclass
class Conversation:
    """One visitor's conversation."""

    sender_id: str
    turns: List[Turn] = field(default_factory=list)

    @property
    def questions(self) -> List[Turn]:
        """The visitor's messages, without 👍 / 👎, photos and stickers."""
        return [t for t in self.turns if t.is_question]

    @property
    def started(self) -> dt.datetime | None:
        return self.turns[0].time if self.turns else None

    @property
    def channel(self) -> str:
        return self.turns[0].channel if self.turns else ""

    @property
    def first_question(self) -> str:
        return self.questions[0].text if self.questions else ""

    def has_fallback(self, low_confidence: float) -> bool:
        """Whether the bot fell back or answered with low confidence."""
        return any(t.fallback or t.confidence < low_confidence for t in self.questions)

    @property
    def has_handoff(self) -> bool:
        return any(t.handoff for t in self.turns)

    @property
    def thumbs_down(self) -> bool:
        return any(t.rating == "down" for t in self.turns)

    @property
    def languages(self) -> List[str]:
        """The languages the visitor wrote in, in order of first use."""
        found: List[str] = []
        for turn in self.questions or self.turns:
            if turn.language not in found:
                found.append(turn.language)
        return found


def _time(timestamp: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0, dt.timezone.utc).replace(tzinfo=None)


def _source(custom: Dict[str, Any]) -> str:
    source = custom.get("source") if isinstance(custom, dict) else None
    if not source or custom.get("kind") != "answer":
        return ""
    return source_text(source)


def _entity(parse: Dict[str, Any], name: str) -> str | None:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == name:
            return str(entity.get("value"))
    return None


def _buttons(data: Dict[str, Any]) -> List[str]:
    buttons = data.get("buttons") or data.get("quick_replies") or []
    return [str(b.get("title")) for b in buttons if isinstance(b, dict) and b.get("title")]


def _bot_message(data: Dict[str, Any]) -> BotMessage:
    metadata = data.get("metadata") or {}
    extra = data.get("data") or {}
    custom = extra.get("custom") or {}
    return BotMessage(
        data.get("text") or "", metadata.get("utter_action") or "", _source(custom),
        custom.get("kind", "") if isinstance(custom, dict) else "", _buttons(extra),
        data.get("timestamp"), sent_by_channel=metadata.get("sent_by") == "channel")


def _media_turn(row: Any, data: Dict[str, Any], reply_to: Dict[str, Any],
                language: str) -> Turn:
    """The turn of a photo, voice note, sticker or emoji, which only the channel answered."""
    kind = str(reply_to.get("kind") or "media")
    text = str(reply_to.get("text") or "") if kind == "emoji" else ""
    return Turn(row.id, _time(data.get("timestamp")), text or VISITOR_SENT.get(kind, kind), "",
                1.0, str(reply_to.get("channel") or ""), language=language, is_media=True)


def _mark_not_delivered(conversation: Conversation, note: Dict[str, Any]) -> None:
    """Flag the bot message sent at ``answer_time`` (else the latest one) as not delivered."""
    when = note.get("answer_time")
    for turn in reversed(conversation.turns):
        for answer in reversed(turn.answers):
            if when is None or answer.time == when:
                answer.delivered = False
                answer.error_code = note.get("error_code")
                return


def conversations(rows: Iterable[Any]) -> Dict[str, Conversation]:
    """Conversations keyed by sender, from event rows in id order."""
    found: Dict[str, Conversation] = {}
    language: Dict[str, str] = {}
    for row in rows:
        conversation = found.setdefault(row.sender_id, Conversation(row.sender_id))
        data = json.loads(row.data)
        current = conversation.turns[-1] if conversation.turns else None
        if row.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turn = Turn(row.id, _time(data.get("timestamp")), data.get("text") or "",
                        intent.get("name") or "", float(intent.get("confidence") or 0.0),
                        data.get("input_channel") or "",
                        language=language.get(row.sender_id, DEFAULT_LANGUAGE))
            turn.fallback = turn.intent == "nlu_fallback"
            if turn.intent == "feedback":
                metadata = data.get("metadata") or {}
                turn.is_feedback = True
                turn.gave_rating = _entity(parse, "rating")
                turn.reaction = str(metadata.get("reaction") or "")
                _rate(conversation, turn.gave_rating, _entity(parse, "answer"),
                      metadata.get("answer_time"))
            conversation.turns.append(turn)
        elif row.type_name == "slot" and data.get("name") == "language":
            if data.get("value") in LANGUAGES:
                language[row.sender_id] = data["value"]
                if current:
                    current.language = data["value"]
        elif row.type_name == "bot" and isinstance(
                (data.get("metadata") or {}).get(REPLY_TO), dict):
            current = _media_turn(row, data, data["metadata"][REPLY_TO],
                                  language.get(row.sender_id, DEFAULT_LANGUAGE))
            conversation.turns.append(current)
            current.answers.append(_bot_message(data))
        elif row.type_name == "bot" and current:
            metadata = data.get("metadata") or {}
            if isinstance(metadata.get(NOT_DELIVERED), dict):
                _mark_not_delivered(conversation, metadata[NOT_DELIVERED])
                continue
            message = _bot_message(data)
            if not (message.text or message.buttons):
                continue
            current.answers.append(message)
            if message.response in HANDOFF_RESPONSES or (
                    message.sent_by_channel and message.kind == "handoff"):
                current.handoff = True
        elif row.type_name == "action" and current:
            if data.get("name") in FALLBACK_ACTIONS:
                current.fallback = True
            if data.get("name") in HANDOFF_RESPONSES:
                current.handoff = True
    return found


def _rate(conversation: Conversation, rating: str | None, answer: str | None,
          answer_time: float | None = None) -> None:
    """Record a 👍 / 👎 (or its removal) against the turn that gave the rated answer.

    A reaction names the very message (``answer_time``); a button, the latest
    turn that gave ``answer``.
    """
    if rating not in ("up", "down", "removed"):
        return
    for turn in reversed(conversation.turns):
        if turn.is_feedback:
            continue
        if answer_time is not None:
            hit = any(a.time == answer_time for a in turn.answers)
        else:
            hit = not answer or any(a.response == answer for a in turn.answers)
        if hit:
            turn.rating = None if rating == "removed" else rating
            return
