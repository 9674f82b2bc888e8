"""What every public channel does to a visitor's message before the bot sees it.

- Control characters are removed and a message is capped at 5,000 characters.
- Each sender may send ``RATE_LIMIT_PER_MINUTE`` messages a minute (30 by
  default); past that they get a polite "slow down" instead of an answer.
- A real message always gets a reply: if the bot produced none (say the
  action server is down), the visitor gets an apology and the spa's contacts.
"""
import enum
import ipaddress
import logging
import os
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Protocol, Tuple

from rasa.core.channels.channel import UserMessage

from channels.delivery import append_events, sent_by_channel
from channels.render import Reply
from language.detect import LANGUAGES, detect
from language.script import SCRIPTS, message_in_script, script_of
from language.texts import TEXTS, say
from language.variants import variant_for
from storage.pseudonyms import client_key, shown
from storage.shared_state import LazyState, SharedState, run_together

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 255
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_.:@+\-]{1,255}$")
DEFAULT_RATE_LIMIT_PER_MINUTE = 30

SLOW_DOWN = TEXTS["slow_down"]["en"]
CANNOT_ANSWER = TEXTS["cannot_answer"]["en"]
PAYLOAD_LANGUAGE = re.compile(r'"language"\s*:\s*"(en|vi|ko|zh)"')
TRUNCATED_NOTE = "truncated_from_chars"
# the client address's keyed digest, for the booking caps per address (storage/bookings.py)
CLIENT_KEY_NOTE = "client_key"

# Conversation ids in the tracker store: ids a visitor chooses (REST, the chat
# page) are kept apart from the provider-verified ones (WhatsApp, Messenger).
CHANNEL_PREFIXES = {"rest": "rest:", "socketio": "web:"}
# What a visitor may put in a message's metadata on a public channel.
METADATA_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{2})?$")
# Payloads accepted without having been offered (the chat page's first message,
# and its greeting in the page's language: JSON.stringify's and Python's spelling).
ALWAYS_ALLOWED_PAYLOADS = frozenset({"/greet"} | {
    f'/greet{{"language":{separator}"{code}"}}' for code in LANGUAGES
    for separator in ("", " ")} | {
    # a Chinese page for a reader of Traditional characters (zh-TW, zh-HK)
    f'/greet{{"language":{separator}"zh",{separator}"script":{separator}"{script}"}}'
    for script in SCRIPTS for separator in ("", " ")})
PAYLOAD_SCRIPT = re.compile(r'"script"\s*:\s*"(hans|hant)"')
DEFAULT_PER_ADDRESS_PER_MINUTE = 60
DEFAULT_NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR = 20
DEFAULT_GLOBAL_PER_MINUTE = 1200
STATE = LazyState()


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


def _positive_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def rate_limit_from_env() -> int:
    """Messages a sender may send per minute (``RATE_LIMIT_PER_MINUTE``, default 30)."""
    return _positive_env("RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE)


def conversation_id(channel: str, sender: str) -> str:
    """The tracker store's id for ``sender`` on ``channel`` (``rest:…``, ``web:…``)."""
    return CHANNEL_PREFIXES.get(channel, "") + sender


def public_metadata(metadata: Any) -> Dict[str, Any]:
    """The small allow-list of metadata a visitor may send: a ``language`` hint."""
    if not isinstance(metadata, dict):
        return {}
    language = metadata.get("language")
    if isinstance(language, str) and METADATA_LANGUAGE.match(language):
        return {"language": language.lower()}
    return {}


def trusted_proxies() -> List[Any]:
    """The networks in ``TRUSTED_PROXIES`` (comma-separated addresses or CIDRs)."""
    networks = []
    for item in os.environ.get("TRUSTED_PROXIES", "").replace(" ", ",").split(","):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                logger.warning("TRUSTED_PROXIES: %r is not an address or network", item)
    return networks


def _address(text: str) -> Any:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: str | None,
                   proxies: List[Any] | None = None) -> str | None:
    """The visitor's address, or None for an exempt local caller.

    ``X-Forwarded-For`` counts only when the peer is a trusted proxy; then the
    right-most address that is not itself a trusted proxy is the visitor. A
    loopback peer without that header (health checks, operator tools, tests)
    is exempt from the per-address limits.
    """
    proxies = trusted_proxies() if proxies is None else proxies
    peer_ip = _address(peer or "")
    if peer_ip is None:
        return peer or "unknown"

    def trusted(ip: Any) -> bool:
        return any(ip in network for network in proxies)

    if forwarded_for and trusted(peer_ip):
        for hop in reversed(forwarded_for.split(",")):
            ip = _address(hop)
            if ip is None:
                break
            if not trusted(ip):
                return str(ip)
        return str(peer_ip)
    if peer_ip.is_loopback and not forwarded_for:
        return None
    return str(peer_ip)


@dataclass
class Limits:
    """Rate limits, from the environment."""

    per_sender: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    per_address: int = DEFAULT_PER_ADDRESS_PER_MINUTE
    new_per_address: int = DEFAULT_NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR
    global_ceiling: int = DEFAULT_GLOBAL_PER_MINUTE

    @classmethod
    def from_env(cls) -> "Limits":
        """Limits from ``RATE_LIMIT_PER_MINUTE`` and the three settings after it."""
        return cls(
            rate_limit_from_env(),
            _positive_env("RATE_LIMIT_PER_ADDRESS_PER_MINUTE", DEFAULT_PER_ADDRESS_PER_MINUTE),
            _positive_env("NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR",
                          DEFAULT_NEW_CONVERSATIONS_PER_ADDRESS_PER_HOUR),
            _positive_env("RATE_LIMIT_GLOBAL_PER_MINUTE", DEFAULT_GLOBAL_PER_MINUTE),
        )


class SharedLimiter:
    """Per sender, per client address (messages and new conversations) and overall.

    Counters live in ``storage.shared_state`` (Redis, the conversation
    database, or memory), so every server counts together.
    """

    def __init__(self, limits: Limits | None = None, state: SharedState | None = None) -> None:
        self.limits = limits or Limits.from_env()
        self._state = state

    def state(self, agent: Any) -> SharedState:
        """The shared counters."""
        return self._state or STATE.get(agent)

    def check(self, agent: Any, sender_id: str, address: str | None) -> Tuple[bool, int]:
        """Count one message; (allowed, retry after seconds)."""
        state, limits = self.state(agent), self.limits
        return run_together(state, lambda: self._count(state, limits, sender_id, address))

    @staticmethod
    def _count(state: SharedState, limits: Limits, sender_id: str,
               address: str | None) -> Tuple[bool, int]:
        """Address, sender, new conversation, then the global ceiling.

        A message counts against the global ceiling only once its own address
        and sender let it through, so one address cannot use up everyone's
        share; a new conversation is claimed only once it is let in.
        """
        if address is None:
            return state.hit(f"sender:{sender_id}", limits.per_sender, 60)
        ok, retry = state.hit(f"addr:{address}", limits.per_address, 60)
        if not ok:
            return False, retry
        ok, retry = state.hit(f"sender:{sender_id}", limits.per_sender, 60)
        if not ok:
            return False, retry
        conversation = f"conv:{address}:{sender_id}"
        new = not state.seen(conversation)
        if new:
            ok, retry = state.hit(f"new:{address}", limits.new_per_address, 3600)
            if not ok:
                return False, retry
        ok, retry = state.hit("global", limits.global_ceiling, 60)
        if not ok:
            logger.warning("global rate ceiling reached")
            return False, retry
        if new:
            state.claim(conversation, 3600)
        return True, retry


def slow_down(language: str | None, script: str | None = None) -> str:
    """The "slow down" message in ``language`` (``conversation_language``'s)."""
    return say("slow_down", language, script)


class RecentLanguages:
    """The language each recent conversation was answered in, in this process.

    Bounded (least recently used first out), so a flood of refused messages
    reads the tracker store at most once per conversation and worker.
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._known: OrderedDict[str, str | None] = OrderedDict()

    def note(self, sender_id: str, language: str | None) -> None:
        """Remember ``language`` (None: the stored conversation has none) for ``sender_id``."""
        self._known[sender_id] = language
        self._known.move_to_end(sender_id)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def known(self, sender_id: str) -> bool:
        return sender_id in self._known

    def get(self, sender_id: str) -> str | None:
        return self._known.get(sender_id)


RECENT_LANGUAGES = RecentLanguages()


async def conversation_language(agent: Any, sender_id: str, text: str = "") -> str:
    """The language the conversation has been in, for a message that is not processed.

    The language its last answered turn was in (this process's memory, else
    the stored conversation's ``language`` slot); for a conversation with none
    yet, the message's own language; else English. A refused message does not
    change the conversation's language, so a visitor chatting in Vietnamese who
    sends "ok" or "hello?" too fast is still asked in Vietnamese to slow down.
    """
    if not RECENT_LANGUAGES.known(sender_id):
        store = getattr(agent, "tracker_store", None)
        try:
            tracker = await store.retrieve(sender_id) if store is not None else None
        except Exception:  # the refusal must still be sent: fall back to the message
            logger.warning("conversation language of %s: the tracker store failed",
                           shown(sender_id))
            tracker = None
        slot = tracker.get_slot("language") if tracker is not None else None
        RECENT_LANGUAGES.note(sender_id, slot if slot in LANGUAGES else None)
    language = RECENT_LANGUAGES.get(sender_id) or detect(text)
    return language if language in LANGUAGES else "en"


async def visitor_language(agent: Any, sender: str, text: str,
                           metadata: Dict[str, Any] | None = None) -> str:
    """The language to answer in, as the NLU will set the ``language`` slot.

    The message's own language; for a button payload or a message that tells
    none (emoji, a number), the payload's or the page's hint, else the
    conversation's last language (its slot), else English.
    """
    if text.startswith("/"):
        found = PAYLOAD_LANGUAGE.search(text)
        language = found.group(1) if found else None
    else:
        language = detect(text) or (metadata or {}).get("language")
    if language in LANGUAGES:
        return str(language)
    slot = await stored_slot(agent, sender, "language")
    return slot if slot in LANGUAGES else "en"


async def stored_slot(agent: Any, sender: str, name: str) -> Any:
    """The stored conversation's slot ``name`` (None without a store or a conversation)."""
    store = getattr(agent, "tracker_store", None)
    try:
        tracker = await store.retrieve(sender) if store is not None else None
    except Exception:  # a store that fails here fails the turn too, with its own log
        tracker = None
    return tracker.get_slot(name) if tracker is not None else None


def cannot_answer_messages(agent: Any, language: str = "en",
                           script: str | None = None) -> List[Dict[str, Any]]:
    """The apology and the contact card (from the domain) sent when the bot said nothing."""
    messages: List[Dict[str, Any]] = [{"text": say("cannot_answer", language, script)}]
    domain = getattr(agent, "domain", None)
    card = (domain.responses.get("utter_contacts") if domain else None) or []
    variant = variant_for(card, {"language": language})
    if variant:
        card_message = {k: v for k, v in variant.items() if k != "condition"}
        messages.append(message_in_script(card_message, script) if language == "zh"
                        else card_message)
    return messages


async def visitor_script(agent: Any, sender: str, text: str, language: str) -> str | None:
    """A Chinese visitor's script, as the NLU will set the ``script`` slot.

    The message's own, when its characters (or the page's greeting) tell; else
    the conversation's (its slot); None for a conversation in another language.
    """
    if language != "zh":
        return None
    if text.startswith("/"):  # a button or the page's greeting: only its own hint tells
        payload = PAYLOAD_SCRIPT.search(text)
        found = payload.group(1) if payload else None
    else:
        found = script_of(text)
    if found is not None:
        return found
    slot = await stored_slot(agent, sender, "script")
    return slot if slot in SCRIPTS else None


async def offered_payloads(agent: Any, sender_id: str) -> List[str]:
    """The payloads the bot offered since the visitor last spoke (buttons, 👍 / 👎)."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return []
    tracker = await store.retrieve(sender_id)
    if tracker is None:
        return []
    payloads: List[str] = []
    for event in reversed(list(tracker.events)):
        data = event.as_dict()
        if data.get("event") == "user":
            break
        if data.get("event") == "bot":
            # the buttons, and 👍 / 👎 for a sourced answer, as every channel shows them
            message = {**(data.get("data") or {}),
                       "utter_action": (data.get("metadata") or {}).get("utter_action")}
            payloads += [choice.payload for choice in Reply.from_rasa(message).choices]
    return payloads


async def checked_payload(agent: Any, sender_id: str, text: str) -> str:
    """``text`` if it is a payload the bot offered; a typed ``/something`` becomes text."""
    if not text.startswith("/") or text in ALWAYS_ALLOWED_PAYLOADS:
        return text
    if text in await offered_payloads(agent, sender_id):
        return text
    return text.lstrip("/").strip()


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


@dataclass
class Handled:
    """The outcome; for a limited message, when to retry and the language to say so in.

    ``retry_after`` is in seconds; ``language`` is the conversation's
    (``conversation_language``), not the refused message's.
    """

    outcome: Outcome
    retry_after: int = 0
    language: str = "en"
    script: str | None = None  # a Chinese refusal's script: the refused message's


@dataclass(frozen=True)
class VisitorMessage:
    """One message from a visitor, as a channel received it.

    ``sender`` is the channel's id (the conversation is ``conversation_id``'s);
    ``metadata`` must already be trusted (``public_metadata`` for visitors');
    ``address`` is the client's (None for provider webhooks and local callers).
    """

    channel: str
    sender: str
    text: str
    output: CountingOutput
    message_id: str | None = None
    metadata: Dict[str, Any] | None = None
    address: str | None = None


@dataclass(frozen=True)
class Pipeline:
    """Where a channel hands visitor messages: Rasa's callback, the limiter, the agent."""

    on_new_message: Callable[[UserMessage], Awaitable[Any]]
    limiter: SharedLimiter
    agent: Any


async def handle_visitor_message(message: VisitorMessage, pipeline: Pipeline) -> Handled:
    """Clean, rate-limit and process one visitor message; never leave it unanswered."""
    channel, sender, output = message.channel, message.sender, message.output
    agent, limiter = pipeline.agent, pipeline.limiter
    text, original_length = clean_text(message.text)
    if not text:
        return Handled(Outcome.EMPTY)
    sender_id = conversation_id(channel, sender)
    allowed, retry_after = limiter.check(agent, sender_id, message.address)
    if not allowed:
        return Handled(Outcome.LIMITED, retry_after,
                       await conversation_language(agent, sender_id, text), script_of(text))
    text = await checked_payload(agent, sender_id, text)
    if not text:
        return Handled(Outcome.EMPTY)
    metadata = dict(message.metadata or {})
    if original_length:
        metadata[TRUNCATED_NOTE] = original_length
    if message.address:
        metadata[CLIENT_KEY_NOTE] = client_key(message.address)
    language = await visitor_language(agent, sender_id, text, metadata)
    RECENT_LANGUAGES.note(sender_id, language)
    script = await visitor_script(agent, sender_id, text, language)
    if hasattr(output, "language"):  # rendering channels speak the visitor's language
        output.language = language  # type: ignore[attr-defined]
        output.script = script  # type: ignore[attr-defined]
    await pipeline.on_new_message(UserMessage(  # type: ignore[arg-type]
        text, output, sender_id, input_channel=channel, message_id=message.message_id,
        metadata=metadata or None))
    if not output.delivered:
        logger.error(
            "No reply for a message from %s on %s: sent the contacts instead. "
            "Is the action server running (endpoints.yml action_endpoint)?", shown(sender_id),
            channel)
        apology = cannot_answer_messages(agent, language, script)
        sent = [sent_by_channel(m) for m in apology]  # before an output can change them
        for reply in apology:
            await output.send_response(sender_id, reply)
        # staff see in the transcript what the visitor received
        await append_events(agent, sender_id, sent)
    return Handled(Outcome.ANSWERED)
