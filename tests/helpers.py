"""Small helpers for reading the bot's replies and the source articles."""
import re
from pathlib import Path
from typing import Any, Dict, List

from tests.support.servers import ROOT

# Test secrets for the channels; the providers' APIs are the fake below.
CHANNEL_SECRETS = {
    "MESSENGER_VERIFY_TOKEN": "messenger-verify-test",
    "MESSENGER_APP_SECRET": "messenger-secret-test",
    "MESSENGER_PAGE_ACCESS_TOKEN": "messenger-page-token-test",
    "TWILIO_ACCOUNT_SID": "ACtest00000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "twilio-auth-test",
    "TWILIO_WHATSAPP_NUMBER": "whatsapp:+84383967775",
    "TWILIO_WEBHOOK_URL": "",
    "WHATSAPP_VERIFY_TOKEN": "whatsapp-verify-test",
    "WHATSAPP_APP_SECRET": "whatsapp-secret-test",
    "WHATSAPP_ACCESS_TOKEN": "whatsapp-access-test",
    "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
}

SOURCES = ROOT / "data" / "sources"
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"


def article_lines(file: str) -> List[str]:
    """The stripped lines of a source article."""
    return [line.strip() for line in (SOURCES / file).read_text().splitlines()]


def heading(line: str) -> str:
    """A heading as answers cite it: no trailing colon or spaces."""
    return line.strip().rstrip(":").strip()


def section_text(file: str, section: str) -> str:
    """The text from a cited heading up to the next heading of the same article."""
    lines = article_lines(file)
    start = [heading(x) for x in lines].index(section)
    body = []
    for line in lines[start + 1:]:
        if re.match(r"^\d+(\.\d+)*\. ", line) or (line.endswith(":") and len(line) < 60):
            break
        body.append(line)
    return "\n".join(body)


def texts(messages: List[Dict[str, Any]]) -> str:
    """All the text the bot sent, one message a line."""
    return "\n".join(m.get("text", "") for m in messages)


def customs(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The custom payloads the bot sent."""
    return [m["custom"] for m in messages if "custom" in m]


def buttons(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every button the bot sent."""
    return [b for m in messages for b in m.get("buttons", [])]


def normalise_dashes(text: str) -> str:
    """'2–3' and '2-3' read the same."""
    return re.sub(r"[‐-―−]", "-", text)


__all__ = ["Path"]


# Vague questions; the tests use those the current model is unsure of (nlu_fallback).
UNSURE_CANDIDATES = [
    "Is massage good for insomnia?",
    "massage sleep stress pain",
    "feet tired sleep?",
    "relax better nights?",
    "help me feel better overall",
    "what would you recommend for my feet and my back and sleeping",
    "stress or blood pressure, which one is it good for",
    "feet or body for tired legs and sleep",
    "good for me?",
    "is it worth it for circulation or stress",
    "sole points sleep pressure",
    "massage for me",
    "what about blood",
    "and the feet?",
    "the blood one",
    "foot massage or?",
    "the points thing",
]


def chat_socket(origin: str) -> Any:
    """A socket.io client that connects as a page of ``origin`` does: over WebSocket.

    The WebSocket handshake carries the page's origin as its one Origin header.
    """
    import socketio

    return socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
