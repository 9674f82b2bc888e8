"""What Messenger and WhatsApp Cloud share: Meta's webhook, sending, non-text events.

The webhook answers the verify handshake and checks ``X-Hub-Signature-256``;
replies go to the Graph API (ids kept, failures recorded); media, stickers
and reactions are handled without the bot.
"""
import asyncio
import json as jsonlib
import logging
from typing import Any, Dict, List

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import (
    SENT,
    SentMessage,
    append_events,
    graph_send,
    message_id,
    rating_events,
)
from channels.http import SendResult, bad_request, forbidden
from channels.output import ProviderOutput
from channels.render import Reply, reaction_rating
from channels.replay import is_current
from channels.signatures import valid_hub_signature, verify_handshake
from channels.webhook import Incoming, SignedWebhookInput

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v19.0"
SIDE_EFFECT_HEAD_START_SECONDS = 0.5


def event_seconds(value: Any, per_second: int = 1) -> float | None:
    """A Meta timestamp (seconds, or milliseconds with ``per_second=1000``) as seconds."""
    try:
        return float(value) / per_second if value is not None else None
    except (TypeError, ValueError):
        return None


class MetaOutput(ProviderOutput):
    """Sends rendered messages to the Graph API and keeps their ids (for reactions)."""

    def __init__(self, url: str, token: str, agent: Any = None,
                 pending: Dict[str, asyncio.Task] | None = None) -> None:
        super().__init__(agent)
        self.url, self.token = url, token
        self.pending = pending if pending is not None else {}

    def render(self, recipient_id: str, reply: Reply) -> List[Dict[str, Any]]:
        """The request bodies for one reply."""
        raise NotImplementedError

    def message_id(self, answer: Dict[str, Any]) -> str:
        """The id the Graph API gave a sent message."""
        return message_id(answer)

    async def send_part(self, part: Dict[str, Any]) -> SendResult:
        return await graph_send(self.url, part, self.token)

    async def ready(self, recipient_id: str) -> None:
        ahead = self.pending.pop(recipient_id, None)
        if ahead is not None:  # seen / typing go first, but never hold the answer up long
            await asyncio.wait({ahead}, timeout=SIDE_EFFECT_HEAD_START_SECONDS)

    def accepted(self, recipient_id: str, result: SendResult) -> None:
        answer = str(self._current.get("utter_action") or "")
        if answer:
            SENT.remember(self.agent, self.message_id(result.answer), SentMessage(
                recipient_id, self.name(), answer, self._current.get("timestamp")))


class MetaChannel(SignedWebhookInput):
    """A Meta webhook (Messenger, WhatsApp Cloud): handshake, signature, non-text events.

    Subclasses say which ``object`` their events carry, how to read visitor
    messages from a body, and how to reply. Media, stickers, emoji and
    reactions are handled here, without the bot.
    """

    object_type: str = ""

    def __init__(self, verify_token: str, app_secret: str) -> None:
        super().__init__()
        self.verify_token = verify_token
        self.app_secret = app_secret
        # read receipt / typing tasks not yet waited for, by visitor
        self.pending: Dict[str, asyncio.Task] = {}

    @property
    def configured(self) -> bool:
        return bool(self.verify_token and self.app_secret)

    def user_messages(self, body: Dict[str, Any]) -> List[Incoming]:
        """Each visitor message (or reaction) in an event ``body``."""
        raise NotImplementedError

    def routes(self, hook: Blueprint) -> None:
        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            return verify_handshake(request.args, self.verify_token)

    def refusal(self, request: Request) -> HTTPResponse | None:
        if not valid_hub_signature(self.app_secret, request.body,
                                   request.headers.get("X-Hub-Signature-256")):
            return forbidden("missing or invalid X-Hub-Signature-256")
        return None

    def incoming(self, request: Request) -> List[Incoming] | HTTPResponse:
        try:
            body = jsonlib.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return bad_request("body is not JSON")
        if not isinstance(body, dict) or body.get("object") != self.object_type:
            return bad_request(f"not a {self.object_type} event")
        try:
            return self.user_messages(body)
        except (TypeError, ValueError, AttributeError):
            return bad_request(f"not a well-formed {self.object_type} event")

    def is_current(self, message: Incoming, now: float) -> bool:
        return is_current(message.time, now)

    def side_effects(self, message: Incoming) -> None:
        """Read receipt and typing indicator for an accepted message (best effort)."""

    def ahead_of_answer(self, sender: str, task: asyncio.Task) -> None:
        """Let ``sender``'s next answer wait briefly for ``task`` (seen, typing)."""
        self.pending[sender] = task

        def forget(done: asyncio.Task) -> None:
            if self.pending.get(sender) is done:
                del self.pending[sender]

        task.add_done_callback(forget)

    async def handled_here(self, agent: Any, message: Incoming) -> bool:
        if message.kind != "reaction":
            self.side_effects(message)
        if message.kind == "text":
            return False
        if message.kind == "reaction":
            await self._rate(agent, message)
            return True
        await self.reply_to_media(agent, message)
        return True

    async def _rate(self, agent: Any, message: Incoming) -> None:
        """A reaction to one of our answers becomes (or stops being) its rating."""
        sent = SENT.find(agent, message.target) if message.target else None
        if sent is None or sent.sender_id != message.sender:
            return
        if message.removed:
            rating = "removed"
        else:
            found = reaction_rating(message.emoji)
            if found is None:
                return
            rating = found
        await append_events(agent, message.sender, rating_events(
            self.name(), rating, sent, message.emoji, message.target))
