"""channels/guard.py: cleaning, sender ids, metadata, addresses and the shared limiter."""
import ipaddress
from typing import List

import pytest

from channels.guard import (
    MAX_MESSAGE_CHARS,
    Limits,
    SharedLimiter,
    clean_text,
    client_address,
    conversation_id,
    public_metadata,
    sender_problem,
)
from storage.shared_state import MemoryState


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_clean_text_removes_control_characters_and_caps_length() -> None:
    assert clean_text("a\x00b\x07c\u200b\nd") == ("abc\nd", None)
    text, original = clean_text("x" * (MAX_MESSAGE_CHARS + 10))
    assert (len(text), original) == (MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 10)


@pytest.mark.parametrize("sender", ["whatsapp:+84383967775", "9a0c7e2f4b", "a" * 255,
                                    "lan.nguyen@example.com", "a_b-c"])
def test_acceptable_sender_ids(sender: str) -> None:
    assert sender_problem(sender) is None


@pytest.mark.parametrize(("sender", "words"), [
    (None, "non-empty"), ("", "non-empty"), (42, "non-empty"), ("a" * 256, "255"),
    ("a b", "letters"), ("ä", "letters"), ("a/b", "letters"), ("<script>", "letters")])
def test_unacceptable_sender_ids(sender: object, words: str) -> None:
    assert words in (sender_problem(sender) or "")


def test_visitor_chosen_ids_are_kept_apart_from_provider_ids() -> None:
    assert [conversation_id("rest", "x"), conversation_id("socketio", "x"),
            conversation_id("messenger", "x")] == ["rest:x", "web:x", "x"]


@pytest.mark.parametrize(("metadata", "kept"), [
    ({"language": "VI", "role": "admin"}, {"language": "vi"}),
    ({"language": "en-GB"}, {"language": "en-gb"}),
    ({"language": "english please"}, {}), ({"language": 3}, {}), ("vi", {}), (None, {})])
def test_public_metadata_keeps_only_a_language_hint(metadata: object, kept: dict) -> None:
    assert public_metadata(metadata) == kept


PROXY = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(("peer", "forwarded", "proxies", "address"), [
    ("127.0.0.1", None, [], None),                       # local tools are exempt
    ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),       # untrusted header is ignored
    ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),
    ("10.0.0.2", "203.0.113.9, 10.0.0.5", PROXY, "203.0.113.9"),
    ("10.0.0.2", "10.0.0.5", PROXY, "10.0.0.2"),
    ("10.0.0.2", "not-an-ip, 203.0.113.9", PROXY, "203.0.113.9"),
    ("not-an-ip", None, [], "not-an-ip")])
def test_client_address(peer: str, forwarded: str | None, proxies: List,
                        address: str | None) -> None:
    assert client_address(peer, forwarded, proxies) == address


def test_the_sender_limit_resets_when_its_window_ends() -> None:
    clock = Clock()
    limiter = SharedLimiter(Limits(per_sender=3), MemoryState(clock=clock))
    assert [limiter.check(None, "a", None)[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.check(None, "b", None)[0]
    clock.now += 30
    assert limiter.check(None, "a", None) == (False, 31)
    clock.now += 30
    assert limiter.check(None, "a", None)[0]


def test_a_new_conversation_limit_per_address() -> None:
    limiter = SharedLimiter(Limits(new_per_address=2), MemoryState(clock=Clock()))
    allowed = [limiter.check(None, f"s{i}", "203.0.113.9")[0] for i in range(3)]
    assert allowed == [True, True, False]
    assert limiter.check(None, "s0", "203.0.113.9")[0]  # a known conversation goes on


def test_a_message_limit_per_address_whatever_the_sender() -> None:
    limiter = SharedLimiter(Limits(per_address=2, new_per_address=100),
                            MemoryState(clock=Clock()))
    assert [limiter.check(None, f"s{i}", "203.0.113.9")[0] for i in range(3)] == [
        True, True, False]
    assert limiter.check(None, "s9", "198.51.100.7")[0]


def test_the_global_ceiling_counts_every_address() -> None:
    limiter = SharedLimiter(Limits(global_ceiling=2), MemoryState(clock=Clock()))
    results = [limiter.check(None, "s", f"203.0.113.{i}")[0] for i in range(3)]
    assert results == [True, True, False]


def test_local_callers_skip_the_address_limits() -> None:
    limiter = SharedLimiter(Limits(per_sender=100, per_address=1, global_ceiling=1),
                            MemoryState(clock=Clock()))
    assert all(limiter.check(None, "s", None)[0] for _ in range(5))


def test_refused_messages_of_one_address_leave_the_global_ceiling_to_the_others() -> None:
    limiter = SharedLimiter(Limits(per_sender=1000, per_address=3, global_ceiling=5),
                            MemoryState(clock=Clock()))
    assert [limiter.check(None, "s", "203.0.113.66")[0] for _ in range(50)].count(True) == 3
    assert limiter.check(None, "t", "198.51.100.7")[0]
