"""The REST channel, strict about its input.

POST /webhooks/rest/webhook with ``{"sender": "...", "message": "..."}``.
A malformed request gets a 4xx with a JSON reason; an odd but real message
(emoji, HTML, very long text) gets a polite bot reply; a real message never
gets an empty reply.
"""
import json
import os
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from channels.guard import (
    SLOW_DOWN,
    Limits,
    Outcome,
    Pipeline,
    SharedLimiter,
    VisitorMessage,
    client_address,
    handle_visitor_message,
    public_metadata,
    sender_problem,
    slow_down,
)
from channels.http import MAX_BODY_BYTES, bad_request, limit_request_size
from channels.signatures import same_secret

__all__ = ["MAX_BODY_BYTES", "StrictRestInput", "parse_request"]
TOKEN_VARIABLE = "REST_TOKEN"


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
    except RecursionError:
        raise ValueError("the body is nested too deeply") from None
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
        limits = Limits.from_env()
        if rate_limit_per_minute:
            limits.per_sender = rate_limit_per_minute
        self.limiter = SharedLimiter(limits)
        self.token = os.environ.get(TOKEN_VARIABLE, "")

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        hook = Blueprint("rest_webhook", __name__)
        limit_request_size(hook)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.token:
                given = request.headers.get("Authorization") or ""
                if not (given.startswith("Bearer ")
                        and same_secret(given[len("Bearer "):], self.token)):
                    return json_response({"error": "unauthorized", "reason": (
                        "this endpoint needs Authorization: Bearer <REST_TOKEN>")}, status=401,
                        headers={"WWW-Authenticate": "Bearer"})
            try:
                data = parse_request(request.body)
            except ValueError as problem:
                return bad_request(str(problem))
            sender = data["sender"]
            collector = CountingCollector()
            address = client_address(request.ip, request.headers.get("X-Forwarded-For"))
            handled = await handle_visitor_message(
                VisitorMessage(self.name(), sender, data["message"], collector,
                               metadata=public_metadata(data.get("metadata")), address=address),
                Pipeline(on_new_message, self.limiter, getattr(request.app.ctx, "agent", None)))
            if handled.outcome is Outcome.EMPTY:
                return bad_request("message is empty")
            if handled.outcome is Outcome.LIMITED:
                return json_response(
                    {"error": "rate_limited", "reason": SLOW_DOWN,
                     "messages": [{"recipient_id": sender, "text": slow_down(handled.language,
                                                                   handled.script)}]},
                    status=429, headers={"Retry-After": str(handled.retry_after)})
            # the caller knows its own id, not the store's namespaced one
            return json_response([{**m, "recipient_id": sender} for m in collector.messages])

        return hook
