"""What every Panda Spa channel shares: signatures, replay guard, rendering output."""
import hashlib
import hmac
import inspect
import json as jsonlib
import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json, text

from channels.guard import (
    Outcome,
    RateLimiter,
    handle_visitor_message,
    rate_limit_from_env,
    slow_down,
)
from channels.render import Choice, Reply

logger = logging.getLogger(__name__)


DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v19.0"


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


def forbidden(reason: str) -> HTTPResponse:
    """403 with a JSON reason, and a log line (never the body: it is not trusted)."""
    logger.warning("refused a webhook request: %s", reason)
    return json({"error": "forbidden", "reason": reason}, status=403)


def bad_request(reason: str) -> HTTPResponse:
    """400 with a JSON reason."""
    return json({"error": "bad_request", "reason": reason}, status=400)


def valid_hub_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Check Meta's ``X-Hub-Signature-256: sha256=<hex>`` in constant time."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):])


def hub_signature(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body`` (used by tests and tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_handshake(args: Any, verify_token: str) -> HTTPResponse:
    """Answer Meta's GET ``hub.challenge`` when ``hub.verify_token`` matches."""
    if not verify_token:
        return forbidden("channel not configured")
    token = args.get("hub.verify_token") or ""
    if args.get("hub.mode") == "subscribe" and hmac.compare_digest(token, verify_token):
        return text(args.get("hub.challenge") or "")
    return forbidden("verify token mismatch")


class ReplayGuard:
    """Remembers message ids for ``ttl`` seconds; a second delivery is a replay."""

    def __init__(self, ttl: float = 24 * 3600, size: int = 100_000) -> None:
        self.ttl, self.size = ttl, size
        self._seen: OrderedDict[str, float] = OrderedDict()

    def seen_all(self, ids: Iterable[str]) -> bool:
        """True if every id was seen before (and so the request is a replay)."""
        self._expire()
        ids = [i for i in ids if i]
        return bool(ids) and all(i in self._seen for i in ids)

    def remember(self, ids: Iterable[str]) -> None:
        """Record ids as delivered."""
        now = time.monotonic()
        for i in ids:
            if i:
                self._seen[i] = now
                self._seen.move_to_end(i)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl
        while self._seen and next(iter(self._seen.values())) < cutoff:
            self._seen.popitem(last=False)


class RenderingOutput(OutputChannel):
    """An output channel that renders whole messages with channels.render.

    ``delivered`` counts the replies sent, so a turn with none can be noticed;
    ``language`` is the visitor's (set for each message by the guard).
    """

    delivered = 0
    language = "en"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Render the whole message at once (text, buttons and source together)."""
        reply = Reply.from_rasa(message, self.language)
        if not reply.is_empty:
            self.delivered += 1
            await self.deliver(recipient_id, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, for callers that bypass send_response."""
        self.delivered += 1
        await self.deliver(recipient_id, Reply(text=text, language=self.language))

    async def deliver(self, recipient_id: str, reply: Reply) -> None:
        """Send one rendered reply to the provider."""
        raise NotImplementedError


async def post(url: str, *, json_body: Dict | None = None, data: Dict | None = None,
               headers: Dict | None = None, auth: aiohttp.BasicAuth | None = None) -> int:
    """POST to a provider's API; logs and returns the status instead of raising."""
    try:
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, json=json_body, data=data, headers=headers,
                                    auth=auth) as response:
                if response.status >= 300:
                    logger.error("provider answered %s for %s: %s", response.status, url,
                                 (await response.text())[:300])
                return response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        logger.error("could not reach provider at %s: %s", url, error)
        return 0


def last_choices(events: List[Dict[str, Any]]) -> List[Choice]:
    """The postback buttons of the bot's messages since the visitor last spoke."""
    choices: List[Choice] = []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            found = Reply.from_rasa({"buttons": buttons}).choices
            if found:
                choices = found
                break
    return choices


async def handle_and_render(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: InputChannel,
    limiter: RateLimiter,
    agent: Any,
    output: RenderingOutput,
    sender: str,
    text: str,
    message_id: str | None = None,
    metadata: Dict[str, Any] | None = None,
) -> None:
    """``handle_visitor_message`` for a rendering channel: over the limit, say so politely."""
    outcome = await handle_visitor_message(on_new_message, channel.name(), limiter, agent,
                                           output, sender, text, message_id, metadata)
    if outcome is Outcome.LIMITED:
        await output.deliver(sender, Reply(text=slow_down(text)))


class MetaWebhookInput(InputChannel):
    """A Meta webhook (Messenger, WhatsApp Cloud): handshake, signature, replay guard.

    Subclasses say which ``object`` their events carry, how to read visitor
    messages from a body, and how to reply.
    """

    object_type: str = ""

    def __init__(self, verify_token: str, app_secret: str) -> None:
        self.hub_token = verify_token
        self.app_secret = app_secret
        self.replays = ReplayGuard()
        self.limiter = RateLimiter(rate_limit_from_env())

    @property
    def configured(self) -> bool:
        """Whether every secret is set; otherwise every request is refused."""
        return bool(self.hub_token and self.app_secret)

    def user_messages(self, body: Dict[str, Any]) -> List[Dict[str, str]]:
        """``{"sender", "text", "id"}`` for each visitor message in ``body``."""
        raise NotImplementedError

    async def handled_here(self, agent: Any, message: Dict[str, str]) -> bool:
        """True when the channel dealt with an accepted event itself (media, reactions)."""
        return False

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint(f"{self.name()}_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok", "configured": self.configured})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            return verify_handshake(request.args, self.hub_token)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            if not valid_hub_signature(self.app_secret, request.body,
                                       request.headers.get("X-Hub-Signature-256")):
                return forbidden("missing or invalid X-Hub-Signature-256")
            try:
                body = jsonlib.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return bad_request("body is not JSON")
            if not isinstance(body, dict) or body.get("object") != self.object_type:
                return bad_request(f"not a {self.object_type} event")
            messages = self.user_messages(body)
            if self.replays.seen_all(m["id"] for m in messages):
                return forbidden("replayed message")
            self.replays.remember(m["id"] for m in messages)
            for m in messages:
                if await self.handled_here(getattr(request.app.ctx, "agent", None), m):
                    continue
                await handle_and_render(
                    on_new_message, self, self.limiter, getattr(request.app.ctx, "agent", None),
                    self.get_output_channel(), m["sender"], m["text"], m["id"] or None)
            return json({"status": "EVENT_RECEIVED"})

        return hook
