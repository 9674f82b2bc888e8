"""HTTP plumbing every channel shares.

The request size limit, refusals with a JSON reason, and one POST to a
provider's API with what it answered (status, JSON, error code).
"""
import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple

import aiohttp
from sanic import Blueprint
from sanic.response import HTTPResponse, json

logger = logging.getLogger(__name__)

# Sanic reads the whole body before a handler runs: refuse larger ones first (413).
MAX_BODY_BYTES = 64 * 1024


def limit_request_size(hook: Blueprint) -> None:
    """Make the public server refuse bodies over ``MAX_BODY_BYTES`` before reading them."""

    @hook.listener("before_server_start")
    async def _limit(app: Any, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        app.config.WEBSOCKET_MAX_SIZE = MAX_BODY_BYTES


def forbidden(reason: str) -> HTTPResponse:
    """403 with a JSON reason, and a log line (never the body: it is not trusted)."""
    logger.warning("refused a webhook request: %s", reason)
    return json({"error": "forbidden", "reason": reason}, status=403)


def bad_request(reason: str) -> HTTPResponse:
    """400 with a JSON reason."""
    return json({"error": "bad_request", "reason": reason}, status=400)


@dataclass
class SendResult:
    """What a provider's API said about one request (status 0: it was not reached)."""

    status: int
    answer: Dict[str, Any] = field(default_factory=dict)
    error_code: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether the provider accepted the request."""
        return 200 <= self.status < 300


def provider_error(answer: Any) -> Tuple[int | None, str]:
    """The error code and message of an error answer.

    Meta's Graph API answers ``{"error": {"code": 131047, "message": ...}}``,
    Twilio ``{"code": 21211, "message": ..., "status": 400}``.
    """
    if not isinstance(answer, dict):
        return None, ""
    error = answer.get("error")
    error = error if isinstance(error, dict) else answer
    code = str(error.get("code"))
    return (int(code) if code.isdigit() else None), str(error.get("message") or "")[:200]


async def post(url: str, *, timeout: float, json_body: Dict[str, Any] | None = None,
               data: Dict[str, str] | None = None, headers: Dict[str, str] | None = None,
               auth: aiohttp.BasicAuth | None = None) -> SendResult:
    """POST once to a provider's API; never raises (an unreachable API is status 0)."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(url, json=json_body, data=data, headers=headers,
                                    auth=auth) as response:
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = {}
                result = SendResult(response.status, answer if isinstance(answer, dict) else {})
                if not result.ok:
                    result.error_code, result.error = provider_error(answer)
                return result
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return SendResult(0, error=str(error)[:200] or type(error).__name__)
