"""What every public channel does to a visitor's message before the bot sees it.

- Control characters are removed and a message is capped at 5,000 characters.
- Each sender may send ``RATE_LIMIT_PER_MINUTE`` messages a minute (30 by
  default); past that they get a polite "slow down" instead of an answer.
- A real message always gets a reply: if the bot produced none (say the
  action server is down), the visitor gets an apology and the spa's contacts.
"""
import enum
import logging
import os
import re
import time
import unicodedata
from collections import defaultdict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, List, Protocol, Tuple

from rasa.core.channels.channel import UserMessage

from channels.delivery import append_events, sent_by_channel

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 255
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@+\-]{1,255}$")
DEFAULT_RATE_LIMIT_PER_MINUTE = 30

SLOW_DOWN = ("You're sending messages faster than I can answer them. Please wait a moment "
             "and try again, or contact the spa directly.")
CANNOT_ANSWER = "Sorry, I couldn't answer that just now. The Panda Spa team can help you:"
TRUNCATED_NOTE = "truncated_from_chars"


def clean_text(text: str) -> Tuple[str, int | None]:
    """Remove control characters and cap the length; the original length if it was cut."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    kept = kept.strip()
    if len(kept) > MAX_MESSAGE_CHARS:
        return kept[:MAX_MESSAGE_CHARS], len(kept)
    return kept, None


def sender_problem(sender: Any) -> str | None:
    """Why a sender id is unacceptable, or None when it is fine."""
    if not isinstance(sender, str) or not sender:
        return "sender must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"sender must be at most {MAX_SENDER_CHARS} characters"
    if not SENDER_PATTERN.match(sender):
        return "sender may contain only letters, digits and _ . : @ + -"
    return None


def rate_limit_from_env() -> int:
    """Messages a sender may send per minute (``RATE_LIMIT_PER_MINUTE``, default 30)."""
    value = os.environ.get("RATE_LIMIT_PER_MINUTE", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_RATE_LIMIT_PER_MINUTE


class RateLimiter:
    """Sliding one-minute window per sender, in this process's memory."""

    def __init__(self, per_minute: int, window_seconds: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window = window_seconds
        self._times: Dict[str, Deque[float]] = defaultdict(deque)

    def allow(self, sender: str) -> bool:
        """Count one message from ``sender``; False when over the limit."""
        now = time.monotonic()
        times = self._times[sender]
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        if len(self._times) > 100_000:
            self._forget_idle(now)
        return True

    def retry_after(self, sender: str) -> int:
        """Seconds until ``sender`` may send again."""
        times = self._times.get(sender)
        if not times:
            return 0
        return max(1, int(times[0] + self.window - time.monotonic()) + 1)

    def _forget_idle(self, now: float) -> None:
        for sender in [s for s, t in self._times.items() if not t or t[-1] <= now - self.window]:
            del self._times[sender]


def cannot_answer_messages(agent: Any) -> List[Dict[str, Any]]:
    """The apology and the contact card (from the domain) sent when the bot said nothing."""
    messages: List[Dict[str, Any]] = [{"text": CANNOT_ANSWER}]
    domain = getattr(agent, "domain", None)
    card = (domain.responses.get("utter_contacts") if domain else None) or []
    if card:
        messages.append(dict(card[0]))
    return messages


class Outcome(enum.Enum):
    """What became of a visitor's message."""

    EMPTY = "empty"  # nothing left after cleaning: not processed
    LIMITED = "limited"  # over the rate limit: not processed
    ANSWERED = "answered"


class CountingOutput(Protocol):
    """An output channel that knows how many replies it sent."""

    @property
    def delivered(self) -> int:
        """Replies sent so far."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send one bot message."""


async def handle_visitor_message(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: str,
    limiter: RateLimiter,
    agent: Any,
    output: CountingOutput,
    sender: str,
    text: str,
    message_id: str | None = None,
    metadata: Dict[str, Any] | None = None,
) -> Outcome:
    """Clean, rate-limit and process one visitor message; never leave it unanswered."""
    text, original_length = clean_text(text)
    if not text:
        return Outcome.EMPTY
    if not limiter.allow(sender):
        return Outcome.LIMITED
    metadata = dict(metadata or {})
    if original_length:
        metadata[TRUNCATED_NOTE] = original_length
    await on_new_message(UserMessage(text, output, sender, input_channel=channel,  # type: ignore[arg-type]
                                     message_id=message_id, metadata=metadata or None))
    if not output.delivered:
        logger.error(
            "No reply for a message from %s on %s: sent the contacts instead. "
            "Is the action server running (endpoints.yml action_endpoint)?", sender, channel)
        apology = cannot_answer_messages(agent)
        sent = [sent_by_channel(m) for m in apology]  # before an output can change them
        for message in apology:
            await output.send_response(sender, message)
        # staff see in the transcript what the visitor received
        await append_events(agent, sender, sent)
    return Outcome.ANSWERED
