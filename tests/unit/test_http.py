"""channels/http.py: refusals carry their reason as JSON."""
import json
import logging

import pytest

from channels.http import bad_request, forbidden, provider_error


def test_forbidden_is_403_with_its_reason_and_a_log_line(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="channels.http"):
        response = forbidden("replayed message")
    assert (response.status, json.loads(response.body)) == (
        403, {"error": "forbidden", "reason": "replayed message"})
    assert caplog.messages == ["refused a webhook request: replayed message"]


def test_bad_request_is_400_with_its_reason() -> None:
    response = bad_request("From is missing")
    assert (response.status, json.loads(response.body)) == (
        400, {"error": "bad_request", "reason": "From is missing"})


@pytest.mark.parametrize(("answer", "code", "message"), [
    ({"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException",
                "code": 131047}}, 131047, "(#131047) Re-engagement message"),   # Meta
    ({"code": 21211, "message": "The 'To' number is not a valid phone number.",
      "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400},
     21211, "The 'To' number is not a valid phone number."),                     # Twilio
    ({"code": "20429", "message": "Too Many Requests"}, 20429, "Too Many Requests"),
    ({"error": "unavailable"}, None, ""), ({}, None, ""), ([], None, ""), (None, None, "")])
def test_provider_error_reads_meta_and_twilio_answers(answer: object, code: int | None,
                                                      message: str) -> None:
    assert provider_error(answer) == (code, message)
