"""Proving that a request comes from its provider.

Meta signs each webhook body with the app secret (``X-Hub-Signature-256``)
and subscribes with a verify token; Twilio signs the URL and the form
(``X-Twilio-Signature``). Secrets are compared in constant time.
"""
import hashlib
import hmac
from typing import Any, Dict, List

from sanic.response import HTTPResponse, text
from twilio.request_validator import RequestValidator

from channels.http import forbidden


def same_secret(given: Any, expected: str) -> bool:
    """Constant-time comparison that is simply False for non-ASCII or non-string input."""
    if not isinstance(given, str) or not expected or not given.isascii():
        return False  # a header with other bytes arrives with surrogates: not a secret
    return hmac.compare_digest(given.encode("ascii"), expected.encode("utf-8"))


def valid_hub_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Check Meta's ``X-Hub-Signature-256: sha256=<hex>`` in constant time."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return same_secret(header[len("sha256="):], expected)


def hub_signature(app_secret: str, body: bytes) -> str:
    """The header value Meta would send for ``body`` (used by tests and tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_handshake(args: Any, verify_token: str) -> HTTPResponse:
    """Answer Meta's GET ``hub.challenge`` when ``hub.verify_token`` matches."""
    if not verify_token:
        return forbidden("channel not configured")
    token = args.get("hub.verify_token") or ""
    if args.get("hub.mode") == "subscribe" and same_secret(token, verify_token):
        return text(args.get("hub.challenge") or "")
    return forbidden("verify token mismatch")


class ParamList(dict):
    """Form fields as Twilio's RequestValidator reads repeated values (``getlist``)."""

    def getlist(self, name: str) -> List[str]:
        """Every value of ``name``."""
        return list(self[name])


def signed_by_twilio(auth_token: str, url: str, form: Dict[str, List[str]],
                     signature: str) -> bool:
    """Whether ``signature`` is Twilio's X-Twilio-Signature for ``url`` and ``form``."""
    if not auth_token or not signature or not signature.isascii():
        return False
    return bool(RequestValidator(auth_token).validate(url, ParamList(form), signature))
