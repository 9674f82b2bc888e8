"""channels/base.py: Meta's hub signature and handshake, secret comparison, body ids."""
import hashlib
import hmac
import json
from typing import Any, Dict

import pytest

from channels.base import (
    body_id,
    event_seconds,
    from_same_named,
    hub_signature,
    last_choices,
    same_secret,
    valid_hub_signature,
    verify_handshake,
)
from channels.render import Choice

SECRET = "app-secret"
BODY = b'{"object": "page", "entry": []}'


def test_hub_signature_is_hmac_sha256_of_the_body() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert hub_signature(SECRET, BODY) == f"sha256={expected}"


def test_a_correct_hub_signature_is_accepted() -> None:
    assert valid_hub_signature(SECRET, BODY, hub_signature(SECRET, BODY))


@pytest.mark.parametrize("header", [
    None, "", "sha256=", "sha1=" + hashlib.sha1(BODY).hexdigest(),
    hub_signature("another-secret", BODY), hub_signature(SECRET, BODY + b" "),
    hub_signature(SECRET, BODY).upper(), hub_signature(SECRET, BODY)[:-1],
    "sha256=é" + hub_signature(SECRET, BODY)[8:]])
def test_a_wrong_or_missing_hub_signature_is_refused(header: str | None) -> None:
    assert not valid_hub_signature(SECRET, BODY, header)


def test_no_app_secret_refuses_even_a_matching_signature() -> None:
    assert not valid_hub_signature("", BODY, hub_signature("", BODY))


@pytest.mark.parametrize(("given", "expected", "same"), [
    ("token", "token", True),
    ("mật khẩu", "mật khẩu", True),        # non-ASCII compares as UTF-8 bytes
    ("mật khẩu", "mat khau", False),
    ("비밀번호", "비밀번호x", False),
    ("token", "", False),                    # an unset secret matches nothing
    ("", "", False),
    (None, "token", False), (b"token", "token", False), (123, "123", False)])
def test_same_secret(given: Any, expected: str, same: bool) -> None:
    assert same_secret(given, expected) is same


@pytest.mark.parametrize(("args", "status", "body"), [
    ({"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "42"}, 200, b"42"),
    ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"}, 403, None),
    ({"hub.mode": "unsubscribe", "hub.verify_token": "vt", "hub.challenge": "42"}, 403, None),
    ({"hub.mode": "subscribe", "hub.verify_token": "mật", "hub.challenge": "42"}, 403, None),
    ({"hub.challenge": "42"}, 403, None)])
def test_the_verify_handshake(args: Dict[str, str], status: int, body: bytes | None) -> None:
    response = verify_handshake(args, "vt")
    assert response.status == status
    if body is not None:
        assert response.body == body
    else:
        assert json.loads(response.body)["reason"] == "verify token mismatch"


def test_an_unconfigured_handshake_is_refused() -> None:
    response = verify_handshake({"hub.mode": "subscribe", "hub.verify_token": "",
                                 "hub.challenge": "42"}, "")
    assert (response.status, json.loads(response.body)["reason"]) == (
        403, "channel not configured")


def test_body_ids_are_the_body_hash_and_the_message_index() -> None:
    digest = hashlib.sha256(BODY).hexdigest()
    assert [body_id(BODY), body_id(BODY, 1)] == [f"body:{digest}:0", f"body:{digest}:1"]
    assert body_id(BODY + b" ") != body_id(BODY)


@pytest.mark.parametrize(("value", "per_second", "seconds"), [
    (1_700_000_000, 1, 1_700_000_000.0), (1_700_000_000_000, 1000, 1_700_000_000.0),
    ("1700000000", 1, 1_700_000_000.0), (None, 1, None), ("soon", 1, None), ([], 1, None)])
def test_event_seconds(value: Any, per_second: int, seconds: float | None) -> None:
    assert event_seconds(value, per_second) == seconds


class Channel:
    def __init__(self, verify_token: str, app_secret: str, api_url: str = "https://x") -> None:
        self.verify_token, self.app_secret, self.api_url = verify_token, app_secret, api_url


def test_credentials_fill_the_same_named_arguments_and_empty_ones_take_defaults() -> None:
    made = from_same_named(Channel, {"verify_token": "vt", "app_secret": None, "api_url": "",
                                     "unused": "x"})
    assert (made.verify_token, made.app_secret, made.api_url) == ("vt", "", "https://x")


def test_last_choices_are_the_buttons_since_the_visitor_last_spoke() -> None:
    old = {"event": "bot", "data": {"buttons": [{"title": "Old", "payload": "/old"}]}}
    events = [old, {"event": "user", "text": "hi"},
              {"event": "bot", "data": {"buttons": [{"title": "Sleep?", "payload": "/ask_sleep"}]}},
              {"event": "bot", "text": "no buttons"}]
    assert last_choices(events) == [Choice("Sleep?", "/ask_sleep")]
    assert last_choices([old, {"event": "user", "text": "hi"}]) == []
