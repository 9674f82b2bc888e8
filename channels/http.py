"""HTTP plumbing every channel shares.

The request size limit, refusals with a JSON reason, and posting to a
provider's API.
"""
import logging
from typing import Any, Dict

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
