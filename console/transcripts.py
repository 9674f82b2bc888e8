"""Turn Rasa's stored events into conversations and turns staff can read.

Pure functions over event rows (id, sender_id, type_name, data): a turn is a
visitor message with what the bot answered, its intent and confidence,
whether it fell back or handed off, and the 👍 / 👎 it got.
"""
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List

FALLBACK_ACTIONS = {"action_suggest_questions", "action_default_fallback"}
HANDOFF_RESPONSES = {"utter_contacts"}
NOT_QUESTIONS = {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "feedback",
                 "nlu_fallback"}


@dataclass
class BotMessage:
    """One thing the bot said."""

    text: str
    response: str = ""
    source: str = ""
    kind: str = ""


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

    @property
    def answer_text(self) -> str:
        """Everything the bot said in reply, one message a line."""
        return "\n".join(a.text for a in self.answers if a.text)

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
        """The visitor's messages, without 👍 / 👎."""
        return [t for t in self.turns if not t.is_feedback]

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


def _time(timestamp: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0, dt.timezone.utc).replace(tzinfo=None)


def _source(custom: Dict[str, Any]) -> str:
    source = custom.get("source") if isinstance(custom, dict) else None
    if not source or custom.get("kind") != "answer":
        return ""
    return f"{source.get('article', '')}, “{source.get('section', '')}”"


def _entity(parse: Dict[str, Any], name: str) -> str | None:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == name:
            return str(entity.get("value"))
    return None


def conversations(rows: Iterable[Any]) -> Dict[str, Conversation]:
    """Conversations keyed by sender, from event rows in id order."""
    found: Dict[str, Conversation] = {}
    for row in rows:
        conversation = found.setdefault(row.sender_id, Conversation(row.sender_id))
        data = json.loads(row.data)
        current = conversation.turns[-1] if conversation.turns else None
        if row.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turn = Turn(row.id, _time(data.get("timestamp")), data.get("text") or "",
                        intent.get("name") or "", float(intent.get("confidence") or 0.0),
                        data.get("input_channel") or "")
            turn.fallback = turn.intent == "nlu_fallback"
            if turn.intent == "feedback":
                turn.is_feedback = True
                turn.gave_rating = _entity(parse, "rating")
                _rate(conversation, turn.gave_rating, _entity(parse, "answer"))
            conversation.turns.append(turn)
        elif row.type_name == "bot" and current:
            metadata = data.get("metadata") or {}
            custom = (data.get("data") or {}).get("custom") or {}
            current.answers.append(BotMessage(
                data.get("text") or "", metadata.get("utter_action") or "", _source(custom),
                custom.get("kind", "") if isinstance(custom, dict) else ""))
            if metadata.get("utter_action") in HANDOFF_RESPONSES:
                current.handoff = True
        elif row.type_name == "action" and current:
            if data.get("name") in FALLBACK_ACTIONS:
                current.fallback = True
            if data.get("name") in HANDOFF_RESPONSES:
                current.handoff = True
    return found


def _rate(conversation: Conversation, rating: str | None, answer: str | None) -> None:
    """Record a 👍 / 👎 against the latest turn that gave the rated answer."""
    if rating not in ("up", "down"):
        return
    for turn in reversed(conversation.turns):
        if turn.is_feedback:
            continue
        if not answer or any(a.response == answer for a in turn.answers):
            turn.rating = rating
            return
