"""Refusing a request delivered twice, or an event too old to be current.

Message ids (or the hash of the signed body, for a message without one) are
remembered for a day, shared by every server; Meta events more than ten
minutes from now are refused as stale.
"""
import hashlib
from typing import Any, Iterable, List

from channels.guard import STATE

REPLAY_TTL_SECONDS = 24 * 3600
# A Meta event older (or further in the future) than this is refused as stale.
MAX_EVENT_AGE_SECONDS = 600


def body_id(body: bytes, index: int = 0) -> str:
    """An id for a message that carries none: the hash of its signed body."""
    return f"body:{hashlib.sha256(body).hexdigest()}:{index}"


def is_current(event_time: float | None, now: float) -> bool:
    """Whether an event dated ``event_time`` (Unix seconds) is recent enough to be handled."""
    return isinstance(event_time, (int, float)) and abs(now - event_time) <= MAX_EVENT_AGE_SECONDS


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
