"""The REST channel, strict about its input.

POST /webhooks/rest/webhook with ``{"sender": "...", "message": "..."}``.
A malformed request gets a 4xx with a JSON reason; an odd but real message
(emoji, HTML, very long text) gets a polite bot reply; a real message never
gets an empty reply.
"""
import json
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from channels.base import bad_request
from channels.guard import (
    SLOW_DOWN,
    Outcome,
    RateLimiter,
    handle_visitor_message,
    rate_limit_from_env,
    sender_problem,
    slow_down,
)

MAX_BODY_BYTES = 64 * 1024


class CountingCollector(CollectingOutputChannel):
    """Rasa's collecting output, counting what it collected."""

    @property
    def delivered(self) -> int:
        """Messages collected so far."""
        return len(self.messages)


def parse_request(body: bytes) -> Dict[str, Any]:
    """The request's fields, or ValueError with what is wrong."""
    if not body or not body.strip():
        raise ValueError("the body is empty: send {\"sender\": ..., \"message\": ...}")
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    problem = sender_problem(data.get("sender"))
    if problem:
        raise ValueError(problem)
    if "message" not in data or data["message"] is None:
        raise ValueError("message is missing")
    if not isinstance(data["message"], str):
        raise ValueError("message must be a string")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError("metadata must be a JSON object")
    return data


class StrictRestInput(InputChannel):
    """REST webhook with input validation, a per-sender rate limit and no empty replies."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return cls()

    def __init__(self, rate_limit_per_minute: int | None = None) -> None:
        self.limiter = RateLimiter(rate_limit_per_minute or rate_limit_from_env())

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint("rest_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                data = parse_request(request.body)
            except ValueError as problem:
                return bad_request(str(problem))
            sender = data["sender"]
            collector = CountingCollector()
            outcome = await handle_visitor_message(
                on_new_message, self.name(), self.limiter, getattr(request.app.ctx, "agent", None),
                collector, sender, data["message"], metadata=data.get("metadata"))
            if outcome is Outcome.EMPTY:
                return bad_request("message is empty")
            if outcome is Outcome.LIMITED:
                return json_response(
                    {"error": "rate_limited", "reason": SLOW_DOWN,
                     "messages": [{"recipient_id": sender,
                                   "text": slow_down(data["message"])}]},
                    status=429, headers={"Retry-After": str(self.limiter.retry_after(sender))})
            return json_response(collector.messages)

        return hook
