"""channels/twilio_whatsapp.py: the form as Twilio sends it, and the last numbered menu.

Twilio's request signature is tested in test_signatures.py.
"""
import pytest

from channels.render import Choice
from channels.signatures import ParamList
from channels.twilio_whatsapp import last_choices, parse_form


def test_repeated_fields_are_all_read() -> None:
    fields = parse_form(b"MediaUrl=a&MediaUrl=b&Body=")
    assert fields == {"MediaUrl": ["a", "b"], "Body": [""]}
    assert ParamList(fields).getlist("MediaUrl") == ["a", "b"]


def test_a_non_utf8_body_is_refused() -> None:
    with pytest.raises(UnicodeDecodeError):
        parse_form(b"Body=%C3%28&From=\xff")


def test_last_choices_are_the_buttons_since_the_visitor_last_spoke() -> None:
    old = {"event": "bot", "data": {"buttons": [{"title": "Old", "payload": "/old"}]}}
    events = [old, {"event": "user", "text": "hi"},
              {"event": "bot", "data": {"buttons": [{"title": "Sleep?", "payload": "/ask_sleep"}]}},
              {"event": "bot", "text": "no buttons"}]
    assert last_choices(events) == [Choice("Sleep?", "/ask_sleep")]
    assert last_choices([old, {"event": "user", "text": "hi"}]) == []
