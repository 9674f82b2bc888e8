"""The signed-webhook flow every provider channel shares.

A POST is checked in one order on Messenger, WhatsApp Cloud and Twilio:
the channel is configured, the provider's signature is valid, the body reads
as the provider's event, the events are current and not replayed; then each
visitor message is handled (by the channel itself for media and reactions,
otherwise by the bot through the guard). A photo, voice note, sticker or
emoji gets one polite reply a minute, recorded in the conversation so staff
see it in the transcript.
"""
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from channels.delivery import (
    append_events,
    contact_card,
    not_delivered,
    reply_to_visitor,
    visitor_language,
)
from channels.guard import STATE, Pipeline, SharedLimiter, VisitorMessage, conversation_id
from channels.http import forbidden, limit_request_size
from channels.output import ProviderOutput, handle_and_render
from channels.render import media_reply
from channels.replay import ReplayGuard, body_id

logger = logging.getLogger(__name__)

MEDIA_REPLY_COOLDOWN_SECONDS = 60


def from_same_named(cls: Any, credentials: Dict[str, Any] | None) -> Any:
    """Build ``cls`` with each constructor argument from the same-named credential.

    An unset or empty credential takes the argument's default, or "" (a channel
    with empty secrets refuses every request).
    """
    credentials = credentials or {}
    arguments = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self":
            continue
        default = "" if parameter.default is inspect.Parameter.empty else parameter.default
        arguments[name] = credentials.get(name) or default
    return cls(**arguments)


@dataclass(frozen=True)
class Incoming:
    """One thing a visitor sent, read from a verified webhook request.

    ``kind`` is text, media, sticker, emoji or reaction; ``time`` the event's
    Unix time in seconds (None when the provider gives none); a reaction names
    the message it is on (``target``), its ``emoji``, and whether it was
    ``removed``.
    """

    sender: str
    text: str
    id: str = ""
    kind: str = "text"
    time: float | None = None
    target: str = ""
    emoji: str = ""
    removed: bool = False


class SignedWebhookInput(InputChannel):
    """A provider's webhook: signature, parsing, stale and replay refusal, then handling.

    Subclasses say when they are configured, how a request proves it comes
    from the provider, how visitor messages are read from it, and how the
    provider is answered.
    """

    def __init__(self) -> None:
        self.replays = ReplayGuard(self.name())
        self.limiter = SharedLimiter()
        self.agent: Any = None

    def get_output_channel(self) -> ProviderOutput:
        """The provider's output channel, knowing the agent (to record what it sends)."""
        raise NotImplementedError

    @property
    def configured(self) -> bool:
        """Whether every secret is set; otherwise every request is refused."""
        raise NotImplementedError

    def refusal(self, request: Request) -> HTTPResponse | None:
        """403 (or 400) when ``request`` is not signed by the provider; None when it is."""
        raise NotImplementedError

    def incoming(self, request: Request) -> List[Incoming] | HTTPResponse:
        """The visitor messages of a signed request, or 400 when it is not a valid event."""
        raise NotImplementedError

    def is_current(self, message: Incoming, now: float) -> bool:
        """Whether ``message`` is recent enough to be handled (providers that date events)."""
        return True

    def accepted(self) -> HTTPResponse:
        """The answer the provider expects for a request that was handled."""
        return json({"status": "EVENT_RECEIVED"})

    def routes(self, hook: Blueprint) -> None:
        """Add the provider's other routes (Meta's verify handshake)."""

    async def handled_here(self, agent: Any, message: Incoming) -> bool:
        """True when the channel dealt with an accepted message itself (media, reactions)."""
        return False

    async def reply_to_media(self, agent: Any, message: Incoming) -> None:
        """One polite reply to a photo, voice note, sticker or emoji, kept in the conversation.

        An album or a burst of voice notes gets one reply a minute (kept in the
        shared state, like seen ids), within the sender's rate limit. The reply
        is stored as a bot event (with a not-delivered note when the provider
        refused it).
        """
        sender = message.sender
        cooldown = f"media_reply:{self.name()}:{sender}"  # shared by every server and worker
        if not STATE.get(agent).claim(cooldown, MEDIA_REPLY_COOLDOWN_SECONDS):
            return
        if not self.limiter.check(agent, sender, None)[0]:
            return
        conversation = conversation_id(self.name(), sender)
        reply = media_reply(message.kind, await visitor_language(agent, conversation),
                            contact_card(agent))
        sent = reply_to_visitor(reply, self.name(), message.kind, message.text)
        refused = await self.get_output_channel().send_parts(sender, reply)
        notes = [] if refused is None else [not_delivered(
            self.name(), sent.timestamp, refused.status, refused.error_code)]
        await append_events(agent, conversation, [sent, *notes], start_session=True)

    async def visitor_message(self, agent: Any, message: Incoming,
                              message_id: str) -> VisitorMessage:
        """What the bot is handed for ``message``."""
        return VisitorMessage(self.name(), message.sender, message.text,
                              self.get_output_channel(), message_id)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint(f"{self.name()}_webhook", __name__)
        limit_request_size(hook)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok", "configured": self.configured})

        self.routes(hook)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        return hook

    async def receive(self, request: Request,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Verify, parse, refuse stale and replayed events, then handle each new message."""
        if not self.configured:
            return forbidden("channel not configured")
        refused = self.refusal(request)
        if refused is not None:
            return refused
        messages = self.incoming(request)
        if isinstance(messages, HTTPResponse):
            return messages
        now = time.time()
        current = [m for m in messages if self.is_current(m, now)]
        if len(current) < len(messages):
            logger.warning("refused %d stale or undated %s event(s)",
                           len(messages) - len(current), self.name())
        if messages and not current:
            return forbidden("stale or undated event")
        agent = getattr(request.app.ctx, "agent", None)
        if agent is not None:
            self.agent = agent  # Rasa loads it after the blueprints' listeners have run
        ids = [m.id or body_id(request.body, i) for i, m in enumerate(current)]
        fresh = self.replays.fresh(agent, ids)
        if current and not any(fresh):
            return forbidden("replayed message")
        for message, new, message_id in zip(current, fresh, ids, strict=True):
            if not new or await self.handled_here(agent, message):
                continue
            await handle_and_render(await self.visitor_message(agent, message, message_id),
                                    Pipeline(on_new_message, self.limiter, agent))
        return self.accepted()
