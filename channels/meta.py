"""What Messenger and WhatsApp Cloud share beyond the webhook.

How they send (ids kept, failures recorded) and what they do with events that
are not text (media, stickers, reactions).
"""
import asyncio
import logging
import time
from typing import Any, Dict, List

from channels.base import MetaWebhookInput, RenderingOutput
from channels.delivery import (
    SENT,
    SentMessage,
    append_events,
    contact_card,
    fire_and_forget,
    graph_send,
    message_id,
    not_delivered,
    rating_events,
    visitor_language,
)
from channels.render import Reply, media_reply, reaction_rating

logger = logging.getLogger(__name__)

MEDIA_REPLY_COOLDOWN_SECONDS = 60
SIDE_EFFECT_HEAD_START_SECONDS = 0.5


class MetaOutput(RenderingOutput):
    """Sends rendered messages to the Graph API, keeps their ids, records failures."""

    def __init__(self, url: str, token: str, agent: Any = None,
                 pending: Dict[str, asyncio.Task] | None = None) -> None:
        self.url, self.token, self.agent = url, token, agent
        self.pending = pending if pending is not None else {}
        self._current: Dict[str, Any] = {}

    def render(self, recipient_id: str, reply: Reply) -> List[Dict[str, Any]]:
        """The request bodies for one reply."""
        raise NotImplementedError

    def message_id(self, answer: Dict[str, Any]) -> str:
        """The id the Graph API gave a sent message."""
        return message_id(answer)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Remember which bot message is being sent (its response and time), then send it."""
        self._current = message
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._current = {}

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        ahead = self.pending.pop(recipient_id, None)
        if ahead is not None:  # seen / typing go first, but never hold the answer up long
            await asyncio.wait({ahead}, timeout=SIDE_EFFECT_HEAD_START_SECONDS)
        answer = str(self._current.get("utter_action") or "")
        answer_time = self._current.get("timestamp")
        for body in self.render(recipient_id, reply):
            result = await graph_send(self.url, body, self.token)
            if result.ok:
                if answer:
                    SENT.remember(self.agent, self.message_id(result.answer),
                                  SentMessage(recipient_id, self.name(), answer, answer_time))
                continue
            # the rest of this reply would make no sense without this part
            fire_and_forget(append_events(self.agent, recipient_id, [not_delivered(
                self.name(), answer_time, result.status, result.error_code)]))
            return


class MetaChannel(MetaWebhookInput):
    """Media, stickers, emoji and reactions on a Meta channel, handled without the bot."""

    def __init__(self, verify_token: str, app_secret: str) -> None:
        super().__init__(verify_token, app_secret)
        self._media_replied: Dict[str, float] = {}
        self.agent: Any = None
        # read receipt / typing tasks not yet waited for, by visitor
        self.pending: Dict[str, asyncio.Task] = {}

    def side_effects(self, message: Dict[str, str]) -> None:
        """Read receipt and typing indicator for an accepted message (best effort)."""

    def ahead_of_answer(self, sender: str, task: asyncio.Task) -> None:
        """Let ``sender``'s next answer wait briefly for ``task`` (seen, typing)."""
        self.pending[sender] = task

        def forget(done: asyncio.Task) -> None:
            if self.pending.get(sender) is done:
                del self.pending[sender]

        task.add_done_callback(forget)

    def output_for(self, agent: Any) -> MetaOutput:
        """The output channel, knowing the agent (to record what it sends)."""
        raise NotImplementedError

    async def handled_here(self, agent: Any, message: Dict[str, str]) -> bool:
        if agent is not None:
            self.agent = agent  # Rasa loads it after the blueprints' listeners have run
        kind = message.get("kind") or "text"
        if kind != "reaction":
            self.side_effects(message)
        if kind == "text":
            return False
        if kind == "reaction":
            await self._rate(agent, message)
            return True
        sender = message["sender"]
        now = time.monotonic()
        if now - self._media_replied.get(sender, -1e9) < MEDIA_REPLY_COOLDOWN_SECONDS:
            return True  # an album or a burst of voice notes gets one reply
        if not self.limiter.check(agent, sender, None)[0]:
            return True
        self._media_replied[sender] = now
        if len(self._media_replied) > 100_000:
            self._media_replied.clear()
        language = await visitor_language(agent, sender)
        reply = media_reply(kind, language, contact_card(agent))
        await self.output_for(agent).deliver(sender, reply)
        return True

    async def _rate(self, agent: Any, message: Dict[str, str]) -> None:
        """A reaction to one of our answers becomes (or stops being) its rating."""
        target, emoji = message.get("target") or "", message.get("emoji") or ""
        sent = SENT.find(agent, target) if target else None
        if sent is None or sent.sender_id != message["sender"]:
            return
        if message.get("removed"):
            rating = "removed"
        else:
            found = reaction_rating(emoji)
            if found is None:
                return
            rating = found
        await append_events(agent, message["sender"],
                            rating_events(self.name(), rating, sent, emoji, target))
