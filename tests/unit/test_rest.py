"""channels/rest.py: parse_request accepts a well-formed body and names every malformed one."""
import json

import pytest

from channels.rest import MAX_BODY_BYTES, parse_request


def test_a_well_formed_request_is_read_as_is() -> None:
    body = json.dumps({"sender": "visitor-1", "message": "hi",
                       "metadata": {"language": "vi"}}).encode()
    assert parse_request(body) == {"sender": "visitor-1", "message": "hi",
                                   "metadata": {"language": "vi"}}


def test_an_empty_message_is_still_well_formed() -> None:
    # the channel answers "message is empty" after cleaning, not the parser
    assert parse_request(b'{"sender": "a", "message": ""}')["message"] == ""


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "the body is empty"),
    (b"  \n\t ", "the body is empty"),
    (b"x" * (MAX_BODY_BYTES + 1), f"larger than {MAX_BODY_BYTES} bytes"),
    (b'{"sender": "a", "message": "\xff\xfe"}', "not valid UTF-8"),
    (b'{"sender": "a", "message": "hi"', "not valid JSON"),
    (b"{'sender': 'a', 'message': 'hi'}", "not valid JSON"),
    (b"NaN-ish", "not valid JSON"),
    (b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "nested too deeply"),
    (b'["a", "hi"]', "must be a JSON object"),
    (b'"hi"', "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b"42", "must be a JSON object"),
    (b'{"message": "hi"}', "sender must be a non-empty string"),
    (b'{"sender": null, "message": "hi"}', "sender must be a non-empty string"),
    (b'{"sender": "", "message": "hi"}', "sender must be a non-empty string"),
    (b'{"sender": 7, "message": "hi"}', "sender must be a non-empty string"),
    (json.dumps({"sender": "a" * 256, "message": "hi"}).encode(), "at most 255 characters"),
    (b'{"sender": "a b", "message": "hi"}', "only letters, digits"),
    (b'{"sender": "../etc", "message": "hi"}', "only letters, digits"),
    (b'{"sender": "a"}', "message is missing"),
    (b'{"sender": "a", "message": null}', "message is missing"),
    (b'{"sender": "a", "message": 3}', "message must be a string"),
    (b'{"sender": "a", "message": ["hi"]}', "message must be a string"),
    (b'{"sender": "a", "message": {"text": "hi"}}', "message must be a string"),
    (b'{"sender": "a", "message": "hi", "metadata": "vi"}', "metadata must be a JSON object"),
    (b'{"sender": "a", "message": "hi", "metadata": []}', "metadata must be a JSON object"),
], ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_every_malformed_body_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_request(body)
