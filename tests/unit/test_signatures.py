"""channels/signatures.py: Meta's hub signature and handshake, secrets, Twilio's signature.

Twilio's documented vectors come from its security guide and its request
validator's tests; tests/test_security_channels.py sends them over HTTP.
"""
import hashlib
import hmac
import json
from typing import Any, Dict
from urllib.parse import urlencode

import pytest

from channels.signatures import (
    hub_signature,
    same_secret,
    signed_by_twilio,
    valid_hub_signature,
    verify_handshake,
)
from channels.twilio_whatsapp import parse_form

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
    ("mật khẩu", "mật khẩu", False),       # secrets are ASCII: other text is never one
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


# --- Twilio ---------------------------------------------------------------------

# Twilio's documented example (token, URL, parameters, signature)
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
          "From": "+12349013030", "To": "+18005551212"}
SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
# Twilio's voice-request vector with blank values (ToCity, CalledCity, CalledZip, ToZip)
BLANK_TOKEN = "2bd9e9638872de601313dc77410d3b23"
BLANK_URL = "http://twiliotests.heroku.com/validate/voice"
BLANK_PARAMS = {
    "ToState": "California", "CalledState": "California", "Direction": "inbound",
    "FromState": "CA", "AccountSid": "ACba8bc05eacf94afdae398e642c9cc32d",
    "Caller": "+14153595711", "CallerZip": "94108", "CallerCountry": "US",
    "From": "+14153595711", "FromCity": "SAN FRANCISCO", "CallerCity": "SAN FRANCISCO",
    "To": "+14157669926", "FromZip": "94108", "FromCountry": "US", "ToCity": "",
    "CallStatus": "ringing", "CalledCity": "", "CallerState": "CA", "CalledZip": "",
    "ToZip": "", "ToCountry": "US", "CallSid": "CA136d09cd59a3c0ec8dbff44da5c03f31",
    "CalledCountry": "US", "Called": "+14157669926", "ApiVersion": "2010-04-01",
    "ApplicationSid": "AP44efecad51364e80b133bb7c07eb8204"}
BLANK_SIGNATURE = "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA="


def form(params: dict) -> dict:
    return parse_form(urlencode(params).encode())


def test_the_documented_example_is_signed_by_twilio() -> None:
    assert signed_by_twilio(TOKEN, URL, form(PARAMS), SIGNATURE)


def test_blank_values_are_kept_and_signed() -> None:
    fields = form(BLANK_PARAMS)
    assert fields["ToCity"] == [""]
    assert signed_by_twilio(BLANK_TOKEN, BLANK_URL, fields, BLANK_SIGNATURE)


@pytest.mark.parametrize(("token", "url", "params", "signature"), [
    ("54321", URL, PARAMS, SIGNATURE),                                  # another account
    (TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=3", PARAMS, SIGNATURE),
    (TOKEN, "https://evil.example/myapp.php?foo=1&bar=2", PARAMS, SIGNATURE),
    (TOKEN, URL, {**PARAMS, "Digits": "1235"}, SIGNATURE),             # a changed field
    (TOKEN, URL, {**PARAMS, "Body": "added"}, SIGNATURE),              # an added field
    (TOKEN, URL, {k: v for k, v in PARAMS.items() if k != "To"}, SIGNATURE),
    (TOKEN, URL, PARAMS, SIGNATURE.lower()),
    (TOKEN, URL, PARAMS, ""),
    (TOKEN, URL, PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=é"),              # non-ASCII header
    ("", URL, PARAMS, SIGNATURE)])                                       # not configured
def test_anything_else_is_not_signed_by_twilio(token: str, url: str, params: dict,
                                               signature: str) -> None:
    assert not signed_by_twilio(token, url, form(params), signature)


def test_dropping_a_blank_value_breaks_the_signature() -> None:
    fields = form(BLANK_PARAMS)
    del fields["ToCity"]
    assert not signed_by_twilio(BLANK_TOKEN, BLANK_URL, fields, BLANK_SIGNATURE)
