"""The website origins allowed to embed the chat: ``WEB_ALLOWED_ORIGINS``.

A comma-separated list such as ``https://pandaspa.vn,https://www.pandaspa.vn``.
The chat server serves /embed.js only to pages of these origins, and Rasa's
socket.io accepts connections only from them. Empty: the chat page's own origins.
"""
import os
from typing import List
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL or origin, lower-case, default port dropped."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def allowed_origins(value: str | None = None) -> List[str]:
    """The allowed origins from ``WEB_ALLOWED_ORIGINS`` (or ``value``), normalised."""
    raw = os.environ.get("WEB_ALLOWED_ORIGINS", "") if value is None else value
    found: List[str] = []
    for item in raw.split(","):
        origin = origin_of(item) if item.strip() else None
        if origin and origin not in found:
            found.append(origin)
    if not found and value is None:
        # the chat page's own origins
        port = os.environ.get("WEB_PORT", "").strip() or "8080"
        found = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    return found
