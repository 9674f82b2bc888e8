"""What every Panda Spa channel shares: signatures, replay guard, rendering output."""
import hashlib
import hmac
import inspect
import json as jsonlib
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Iterable, List

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json, text

from channels.guard import (
    STATE,
    Outcome,
    Pipeline,
    SharedLimiter,
    VisitorMessage,
    handle_visitor_message,
    slow_down,
)
from channels.render import Choice, Reply

logger = logging.getLogger(__name__)


DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v19.0"
# Sanic reads the whole body before a handler runs: refuse larger ones first (413).
MAX_BODY_BYTES = 64 * 1024
# A Meta event older (or further in the future) than this is refused as stale.
MAX_EVENT_AGE_SECONDS = 600
REPLAY_TTL_SECONDS = 24 * 3600


def limit_request_size(hook: Blueprint) -> None:
    """Make the public server refuse bodies over ``MAX_BODY_BYTES`` before reading them."""

    @hook.listener("before_server_start")
    async def _limit(app: Any, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        app.config.WEBSOCKET_MAX_SIZE = MAX_BODY_BYTES


def same_secret(given: Any, expected: str) -> bool:
    """Constant-time comparison that is simply False for non-ASCII or non-string input."""
    if not isinstance(given, str) or not expected or not given.isascii():
        return False  # a header with other bytes arrives with surrogates: not a secret
    return hmac.compare_digest(given.encode("ascii"), expected.encode("utf-8"))


def event_seconds(value: Any, per_second: int = 1) -> float | None:
    """A Meta timestamp (seconds, or milliseconds with ``per_second=1000``) as seconds."""
    try:
        return float(value) / per_second if value is not None else None
    except (TypeError, ValueError):
        return None


def body_id(body: bytes, index: int = 0) -> str:
    """An id for a message that carries none: the hash of its signed body."""
    return f"body:{hashlib.sha256(body).hexdigest()}:{index}"


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
    return same_secret(header[len("sha256="):], expected)


def hub_signature(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body`` (used by tests and tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_handshake(args: Any, verify_token: str) -> HTTPResponse:
    """Answer Meta's GET ``hub.challenge`` when ``hub.verify_token`` matches."""
    if not verify_token:
        return forbidden("channel not configured")
    token = args.get("hub.verify_token") or ""
    if args.get("hub.mode") == "subscribe" and same_secret(token, verify_token):
        return text(args.get("hub.challenge") or "")
    return forbidden("verify token mismatch")


class ReplayGuard:
    """Message ids seen in the last ``ttl`` seconds, shared by every server.

    Kept in Redis (``REDIS_URL``) or the conversation database, see
    ``storage.shared_state``; a second delivery of an id is a replay.
    """

    def __init__(self, channel: str, ttl: float = REPLAY_TTL_SECONDS) -> None:
        self.channel, self.ttl = channel, ttl

    def fresh(self, agent: Any, ids: Iterable[str]) -> List[bool]:
        """For each id, whether it is new (and now recorded as delivered)."""
        state = STATE.get(agent)
        return [state.claim(f"replay:{self.channel}:{i}", self.ttl) for i in ids]


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


async def handle_and_render(message: VisitorMessage, pipeline: Pipeline) -> None:
    """``handle_visitor_message`` for a rendering channel: over the limit, say so politely."""
    handled = await handle_visitor_message(message, pipeline)
    if handled.outcome is Outcome.LIMITED:
        output: RenderingOutput = message.output  # type: ignore[assignment]
        await output.deliver(message.sender, Reply(text=slow_down(message.text)))


class MetaWebhookInput(InputChannel):
    """A Meta webhook (Messenger, WhatsApp Cloud): handshake, signature, replay guard.

    Subclasses say which ``object`` their events carry, how to read visitor
    messages from a body, and how to reply.
    """

    object_type: str = ""

    def __init__(self, verify_token: str, app_secret: str) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.replays = ReplayGuard(self.name())
        self.limiter = SharedLimiter()

    @property
    def configured(self) -> bool:
        """Whether every secret is set; otherwise every request is refused."""
        return bool(self.verify_token and self.app_secret)

    def user_messages(self, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        """``{"sender", "text", "id", "time"}`` for each visitor message in ``body``.

        ``time`` is the event's Unix time in seconds (None when it has none).
        """
        raise NotImplementedError

    async def handled_here(self, agent: Any, message: Dict[str, str]) -> bool:
        """True when the channel dealt with an accepted event itself (media, reactions)."""
        return False

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint(f"{self.name()}_webhook", __name__)
        limit_request_size(hook)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json({"status": "ok", "configured": self.configured})

        @hook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.configured:
                return forbidden("channel not configured")
            return verify_handshake(request.args, self.verify_token)

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
            try:
                messages = self.user_messages(body)
            except (TypeError, ValueError, AttributeError):
                return bad_request(f"not a well-formed {self.object_type} event")
            now = time.time()
            current = [m for m in messages if isinstance(m.get("time"), (int, float))
                       and abs(now - m["time"]) <= MAX_EVENT_AGE_SECONDS]
            if len(current) < len(messages):
                logger.warning("refused %d stale or undated %s event(s)",
                               len(messages) - len(current), self.name())
            if messages and not current:
                return forbidden("stale or undated event")
            agent = getattr(request.app.ctx, "agent", None)
            ids = [m["id"] or body_id(request.body, i) for i, m in enumerate(current)]
            fresh = self.replays.fresh(agent, ids)
            if current and not any(fresh):
                return forbidden("replayed message")
            for m, new, message_id in zip(current, fresh, ids, strict=True):
                if not new or await self.handled_here(agent, m):
                    continue
                await handle_and_render(
                    VisitorMessage(self.name(), m["sender"], m["text"], self.get_output_channel(),
                                   message_id),
                    Pipeline(on_new_message, self.limiter, agent))
            return json({"status": "EVENT_RECEIVED"})

        return hook
