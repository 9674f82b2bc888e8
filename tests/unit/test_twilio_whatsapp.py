"""channels/twilio_whatsapp.py: X-Twilio-Signature over the form as Twilio sends it.

The documented vectors come from Twilio's security guide and its request
validator's tests; tests/test_security_channels.py sends them over HTTP.
"""
from urllib.parse import urlencode

import pytest

from channels.twilio_whatsapp import ParamList, parse_form, signed_by_twilio

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


def test_repeated_fields_are_all_read() -> None:
    fields = parse_form(b"MediaUrl=a&MediaUrl=b&Body=")
    assert fields == {"MediaUrl": ["a", "b"], "Body": [""]}
    assert ParamList(fields).getlist("MediaUrl") == ["a", "b"]


def test_a_non_utf8_body_is_refused() -> None:
    with pytest.raises(UnicodeDecodeError):
        parse_form(b"Body=%C3%28&From=\xff")
