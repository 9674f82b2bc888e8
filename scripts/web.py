"""Serve the website chat page (web/index.html) and the rasa-webchat widget.

Usage: python scripts/web.py [--port 8080] [--rasa-url http://localhost:5005]
Only four paths exist: /, /webchat.js (from web/node_modules, set to connect
over WebSocket only), /config.js and
/embed.js (the one-tag launcher for the spa's website, served only to pages of
the origins in WEB_ALLOWED_ORIGINS).

embed.js names the chat server by ``WEB_PUBLIC_URL``, else by the request's
Host only when that origin is allowed, else by the server's own address: a
forged Host header never reaches a page. Every answer forbids framing
(``X-Frame-Options: DENY``, CSP ``frame-ancestors 'none'``) and sniffing.
"""
import argparse
import json
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Tuple

if __package__ in (None, ""):  # run as a script: the project's packages are one level up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.origins import allowed_origins, origin_of  # noqa: E402
from storage.settings import load_env_file  # noqa: E402

WEB = Path(__file__).resolve().parent.parent / "web"
WIDGET = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
EMBED = WEB / "embed.js"


# rasa-webchat opens socket.io with its default transports, long polling first.
# Rasa runs several workers on one port (RASA_WORKERS), and a session's polling
# requests could reach a worker that does not know the session. A WebSocket is
# one connection, so it stays with the worker that accepted it.
SOCKET_OPTIONS = b"var r=n?{path:n}:{}"
WEBSOCKET_ONLY = b'var r=n?{path:n,transports:["websocket"]}:{transports:["websocket"]}'


def widget_source(bundle: bytes) -> bytes:
    """The widget's bundle, connecting over WebSocket only."""
    if bundle.count(SOCKET_OPTIONS) != 1:
        raise SystemExit(f"{WIDGET}: unexpected rasa-webchat build (package-lock.json pins "
                         f"the version whose socket options this server sets)")
    return bundle.replace(SOCKET_OPTIONS, WEBSOCKET_ONLY)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def embed_config(host: str | None, allowed: List[str], public_url: str, rasa_url: str,
                 own_url: str, rasa_port: str) -> Dict[str, str]:
    """embed.js's ``chatUrl`` and ``socketUrl``; the Host header only when it is allowed."""
    chat_url = public_url
    if not chat_url:
        asked = f"http://{host}" if host else ""
        chat_url = asked if asked and asked.lower() in allowed else own_url
    if rasa_url:
        socket_url = rasa_url
    else:
        name = (chat_url.split("://", 1)[1].rsplit(":", 1)[0] if "://" in chat_url
                else "127.0.0.1")
        socket_url = f"http://{name}:{rasa_port}"
    return {"chatUrl": chat_url, "socketUrl": socket_url}


def routes(rasa_url: str, rasa_port: int = 5005) -> Dict[str, Tuple[str, bytes]]:
    """Path -> (content type, body); read once at start.

    With no public URL, the page reaches Rasa on its own host name at ``rasa_port``.
    """
    settings = {"socketUrl": rasa_url, "rasaPort": rasa_port}
    config = f"window.PANDA_CONFIG = {json.dumps(settings)};\n"
    return {
        "/": ("text/html; charset=utf-8", (WEB / "index.html").read_bytes()),
        "/webchat.js": ("application/javascript", widget_source(WIDGET.read_bytes())),
        "/config.js": ("application/javascript", config.encode()),
    }


class Handler(BaseHTTPRequestHandler):
    """GET-only handler over a fixed set of files."""

    def __init__(self, files: Dict[str, Tuple[str, bytes]], *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.files = files
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        """Every answer, errors too, with the security headers."""
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802
        """Serve a known path, else 404."""
        path = self.path.split("?", 1)[0]
        if path == "/embed.js":
            self.embed()
            return
        if path == "/index.html":
            path = "/"
        if path not in self.files:
            self.send_error(HTTPStatus.NOT_FOUND, "no such page")
            return
        content_type, body = self.files[path]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def embed(self) -> None:
        """/embed.js for a page of an allowed origin (Origin, else Referer); 403 otherwise."""
        page = self.headers.get("Origin") or ""
        page_origin = origin_of(page) if page and page != "null" else None
        if page_origin is None:
            page_origin = origin_of(self.headers.get("Referer") or "")
        allowed: List[str] = self.server.allowed_origins  # type: ignore[attr-defined]
        if page_origin is None or page_origin not in allowed:
            reason = ("this page's origin is not in WEB_ALLOWED_ORIGINS" if page_origin
                      else "no Origin or Referer: cannot tell which site asks")
            body = f"// refused: {reason}\n".encode()
            self.send_response(HTTPStatus.FORBIDDEN)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Origin, Referer")
            self.end_headers()
            self.wfile.write(body)
            return
        server: Any = self.server
        config = embed_config(self.headers.get("Host"), allowed, server.public_url,
                              server.rasa_url, server.own_url,
                              os.environ.get("RASA_PORT") or "5005")
        body = (f"window.PANDA_EMBED = {json.dumps(config)};\n").encode() + EMBED.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Vary", "Origin, Referer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the page's traffic is not worth a log line each."""


def main() -> None:
    """Parse the arguments and serve until interrupted."""
    load_env_file()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("WEB_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT") or 8080))
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_PUBLIC_URL", ""))
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT") or 5005))
    args = parser.parse_args()
    files = routes(args.rasa_url, args.rasa_port)
    server = ThreadingHTTPServer((args.host, args.port), partial(Handler, files))
    server.allowed_origins = allowed_origins()  # type: ignore[attr-defined]
    server.rasa_url = args.rasa_url  # type: ignore[attr-defined]
    server.public_url = os.environ.get("WEB_PUBLIC_URL", "").rstrip("/")  # type: ignore[attr-defined]
    own_host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    server.own_url = f"http://{own_host}:{args.port}"  # type: ignore[attr-defined]
    print(f"Chat page: http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
