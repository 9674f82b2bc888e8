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
    TRUNCATED_NOTE,
    RateLimiter,
    cannot_answer_messages,
    clean_text,
    log_silent_turn,
    rate_limit_from_env,
    sender_problem,
)

MAX_BODY_BYTES = 64 * 1024


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
            text, original_length = clean_text(data["message"])
            if not text:
                return bad_request("message is empty")
            if not self.limiter.allow(sender):
                return json_response(
                    {"error": "rate_limited", "reason": SLOW_DOWN,
                     "messages": [{"recipient_id": sender, "text": SLOW_DOWN}]},
                    status=429, headers={"Retry-After": str(self.limiter.retry_after(sender))})
            metadata = dict(data.get("metadata") or {})
            if original_length:
                metadata[TRUNCATED_NOTE] = original_length
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=metadata or None))
            if not collector.messages:
                log_silent_turn(sender, self.name())
                agent = getattr(request.app.ctx, "agent", None)
                for message in cannot_answer_messages(agent):
                    await collector.send_response(sender, message)
            return json_response(collector.messages)

        return hook
