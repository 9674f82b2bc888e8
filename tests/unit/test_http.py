"""channels/http.py: refusals carry their reason as JSON."""
import json
import logging

import pytest

from channels.http import bad_request, forbidden


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
