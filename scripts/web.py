"""Serve the website chat page (web/index.html) and the rasa-webchat widget.

Usage: python scripts/web.py [--port 8080] [--rasa-url http://localhost:5005]
Only four paths exist: /, /webchat.js (from web/node_modules, set to connect
over WebSocket only), /config.js and
/embed.js (the one-tag launcher for the spa's website, served only to pages of
the origins in WEB_ALLOWED_ORIGINS).
"""
import argparse
import json
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Tuple

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
        self.send_header("X-Content-Type-Options", "nosniff")
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
        host = self.headers.get("Host") or "127.0.0.1"
        chat_url = f"http://{host}"
        socket_url = self.server.rasa_url or (  # type: ignore[attr-defined]
            f"http://{host.rsplit(':', 1)[0]}:{os.environ.get('RASA_PORT') or '5005'}")
        config = {"chatUrl": self.server.public_url or chat_url,  # type: ignore[attr-defined]
                  "socketUrl": socket_url}
        body = (f"window.PANDA_EMBED = {json.dumps(config)};\n").encode() + EMBED.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
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
    print(f"Chat page: http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
