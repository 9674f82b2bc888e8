"""Sending to a provider and keeping the conversation true to what was sent.

- ``send`` posts one message with retries (network errors, 429, 5xx) and reads
  the provider's answer: the sent message's id, or its error code (Meta's
  131047: WhatsApp's 24-hour window has closed; Twilio's 2xxxx / 6xxxx codes).
  ``graph_send`` and ``twilio_send`` are the Graph API's and Twilio's.
- ``fire_and_forget`` sends read receipts and typing indicators without ever
  delaying or blocking an answer.
- ``SentMessages`` maps the ids Meta gave our messages to the answer they
  carried, so a reaction to one can rate that answer.
- ``append_events`` adds what a channel did outside Rasa's turn (an apology,
  a failed delivery, a reaction's rating, the reply to a photo) to the stored
  conversation.
"""
import asyncio
import copy
import logging
import time
from dataclasses import dataclass
from typing import Any, Coroutine, Dict, List, Set

import aiohttp
import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered

from channels.http import SendResult, post
from channels.render import Reply
from language.detect import LANGUAGES
from storage.pseudonyms import shown
from storage.schema import create_together

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 15
SEND_RETRIES = 2
SIDE_EFFECT_TIMEOUT_SECONDS = 3
WINDOW_CLOSED = 131047
RETRY_DELAY_SECONDS = 0.5
NOT_DELIVERED = "not_delivered"
REPLY_TO = "reply_to"

_background: Set[asyncio.Task] = set()


def message_id(answer: Dict[str, Any]) -> str:
    """The sent message's id: ``message_id`` (Messenger) or ``messages[0].id`` (WhatsApp)."""
    if answer.get("message_id"):
        return str(answer["message_id"])
    messages = answer.get("messages") or []
    if messages and isinstance(messages[0], dict):
        return str(messages[0].get("id") or "")
    return ""


def _retryable(result: SendResult) -> bool:
    return result.status == 0 or result.status == 429 or result.status >= 500


async def send(url: str, provider: str, retries: int = SEND_RETRIES,
               **request: Any) -> SendResult:
    """POST one message to ``provider`` (its name in the logs); retry network errors, 429, 5xx.

    ``request`` is ``channels.http.post``'s (``json_body`` or ``data``, ``headers``,
    ``auth``). Never raises; a message still refused is logged with its error code.
    """
    result, attempts = SendResult(0), 0
    for attempt in range(retries + 1):
        attempts += 1
        result = await post(url, timeout=SEND_TIMEOUT_SECONDS, **request)
        if result.ok or not _retryable(result):
            break
        if attempt < retries:
            await asyncio.sleep(RETRY_DELAY_SECONDS * (attempt + 1))
    if result.error_code == WINDOW_CLOSED:
        logger.error("not delivered: WhatsApp refused a message with error %s (the 24-hour "
                     "customer-service window is closed) at %s", WINDOW_CLOSED, url)
    elif not result.ok:
        logger.error("not delivered after %s attempt(s): %s answered %s (error code %s) "
                     "for %s: %s", attempts, provider, result.status or "no answer",
                     result.error_code, url, result.error)
    return result


async def graph_send(url: str, body: Dict[str, Any], token: str,
                     retries: int = SEND_RETRIES) -> SendResult:
    """Send one message through Meta's Graph API (Messenger, WhatsApp Cloud)."""
    return await send(url, "the Graph API", retries, json_body=body,
                      headers={"Authorization": f"Bearer {token}"})


async def twilio_send(url: str, form: Dict[str, str], auth: aiohttp.BasicAuth,
                      retries: int = SEND_RETRIES) -> SendResult:
    """Send one message through Twilio's Messages API (a form, HTTP basic auth)."""
    return await send(url, "Twilio", retries, data=form, auth=auth)


def fire_and_forget(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task:
    """Run ``coroutine`` in the background; keep a reference until it ends."""
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


async def side_effect(url: str, bodies: List[Dict[str, Any]], token: str, what: str) -> None:
    """Best effort (read receipt, typing): a short timeout, no retry, a log line on failure."""
    for body in bodies:
        result = await post(url, timeout=SIDE_EFFECT_TIMEOUT_SECONDS, json_body=body,
                            headers={"Authorization": f"Bearer {token}"})
        if not result.ok:
            logger.warning("%s not sent (status %s, error code %s): %s", what, result.status,
                           result.error_code, result.error)
            return


# --- which answer did we send under which id ---------------------------------

_table_meta = sa.MetaData()
sent_messages = sa.Table(
    "channel_sent_messages", _table_meta,
    sa.Column("message_id", sa.String(255), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(40), nullable=False),
    sa.Column("answer", sa.String(255), nullable=False),
    sa.Column("answer_time", sa.Float),
    sa.Column("sent_at", sa.Float, nullable=False),
)


@dataclass
class SentMessage:
    """A message we sent: to whom, and the answer (response name) it carried."""

    sender_id: str
    channel: str
    answer: str
    answer_time: float | None


def _engine(agent: Any) -> sa.engine.Engine | None:
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa's FailSafeTrackerStore wrapper
    engine = getattr(store, "engine", None)
    return engine if isinstance(engine, sa.engine.Engine) else None


class SentMessages:
    """Sent message ids in the conversation database (in memory without one)."""

    def __init__(self) -> None:
        self._memory: Dict[str, SentMessage] = {}
        self._ready: Set[int] = set()

    def _ready_engine(self, agent: Any) -> sa.engine.Engine | None:
        engine = _engine(agent)
        if engine is not None and id(engine) not in self._ready:
            create_together(lambda: _table_meta.create_all(engine), engine,
                            _table_meta.tables, "sent-message table")
            self._ready.add(id(engine))
        return engine

    def remember(self, agent: Any, message_id: str, sent: SentMessage) -> None:
        """Keep ``message_id`` -> the answer it carried."""
        if not message_id:
            return
        engine = self._ready_engine(agent)
        if engine is None:
            self._memory[message_id] = sent
            return
        with engine.begin() as conn:
            conn.execute(sent_messages.delete().where(sent_messages.c.message_id == message_id))
            conn.execute(sent_messages.insert().values(
                message_id=message_id, sender_id=sent.sender_id, channel=sent.channel,
                answer=sent.answer, answer_time=sent.answer_time, sent_at=time.time()))

    def find(self, agent: Any, message_id: str) -> SentMessage | None:
        """The message we sent under ``message_id``, if any."""
        engine = self._ready_engine(agent)
        if engine is None:
            return self._memory.get(message_id)
        with engine.connect() as conn:
            row = conn.execute(sa.select(sent_messages).where(
                sent_messages.c.message_id == message_id)).first()
        return SentMessage(row.sender_id, row.channel, row.answer, row.answer_time) if row else None


SENT = SentMessages()


# --- the conversation, as the visitor saw it ---------------------------------


async def append_events(agent: Any, sender: str, events: List[Event],
                        start_session: bool = False) -> None:
    """Add ``events`` to ``sender``'s stored conversation, under its lock.

    ``start_session`` first starts a session as Rasa would for a message (a new
    conversation, or one idle past the session expiry), for events that may
    open a conversation (a reply to a photo).
    """
    if agent is None or getattr(agent, "processor", None) is None or not events:
        return
    try:
        async with agent.lock_store.lock(sender):
            if start_session:
                tracker = await agent.processor.fetch_tracker_and_update_session(
                    sender, CollectingOutputChannel())
            else:
                tracker = await agent.processor.get_tracker(sender)
            for event in events:
                tracker.update(event)
            await agent.tracker_store.save(tracker)
    except Exception:  # noqa: BLE001 - the visitor's answer matters more than the record
        logger.exception("could not record what the channel sent to %s", shown(sender))


def sent_by_channel(message: Dict[str, Any]) -> BotUttered:
    """A message the channel sent itself (apology, contacts), as a bot event."""
    data = copy.deepcopy({k: v for k, v in message.items()
                          if k in ("buttons", "custom", "quick_replies")})
    return BotUttered(message.get("text"), data, {"sent_by": "channel"})


def reply_to_visitor(reply: Reply, channel: str, kind: str, text: str = "") -> BotUttered:
    """The reply a channel gave a photo, voice note, sticker or emoji, as a bot event.

    ``reply_to`` says what the visitor sent (``kind``, and the emoji themselves),
    so the console shows the visitor's message and this reply as one turn.
    """
    buttons = [{"title": link.title, "type": "web_url", "url": link.url}
               for link in reply.links]
    return BotUttered(reply.text, {"buttons": buttons} if buttons else {}, {
        "sent_by": "channel",
        REPLY_TO: {"channel": channel, "kind": kind, "text": text if kind == "emoji" else ""}})


def not_delivered(channel: str, answer_time: float | None, status: int,
                  error_code: int | None) -> BotUttered:
    """A note that the bot message sent at ``answer_time`` never reached the visitor."""
    return BotUttered(None, {}, {NOT_DELIVERED: {"channel": channel, "answer_time": answer_time,
                                                 "status": status, "error_code": error_code}})


def rating_events(channel: str, rating: str, sent: SentMessage, emoji: str,
                  message_id: str) -> List[Event]:
    """A reaction stored as the feedback intent (``rating``: up, down or removed)."""
    entities = [{"entity": "rating", "value": rating, "start": 0, "end": 0},
                {"entity": "answer", "value": sent.answer, "start": 0, "end": 0}]
    intent = {"name": "feedback", "confidence": 1.0}
    text = emoji or "(reaction removed)"
    parse_data = {"text": text, "intent": intent, "entities": entities, "intent_ranking": []}
    return [UserUttered(text, intent, entities, parse_data, input_channel=channel,  # type: ignore[arg-type]
                        metadata={"reaction": emoji, "reacted_to": message_id,
                                  "answer_time": sent.answer_time}),
            ActionExecuted("action_listen")]


async def visitor_language(agent: Any, sender: str) -> str:
    """The conversation's ``language`` slot (en, vi, ko, zh); en when unknown."""
    try:
        tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
    except Exception:  # noqa: BLE001
        logger.exception("could not read the language of %s", shown(sender))
        tracker = None
    value = tracker.get_slot("language") if tracker is not None and \
        "language" in tracker.slots else None
    return value if value in LANGUAGES else "en"


def contact_card(agent: Any) -> List[Dict[str, Any]]:
    """The variants of the contact card response in the domain."""
    domain = getattr(agent, "domain", None)
    return list((domain.responses.get("utter_contacts") if domain else None) or [])
