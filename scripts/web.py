"""Serve the website chat page (web/index.html) and the rasa-webchat widget.

Usage: python scripts/web.py [--port 8080] [--rasa-url http://localhost:5005]
Only three paths exist: /, /webchat.js (from web/node_modules) and /config.js.
"""
import argparse
import json
import os
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Tuple

from storage.settings import load_env_file

WEB = Path(__file__).resolve().parent.parent / "web"
WIDGET = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"


def routes(rasa_url: str, rasa_port: int = 5005) -> Dict[str, Tuple[str, bytes]]:
    """Path -> (content type, body); read once at start.

    With no public URL, the page reaches Rasa on its own host name at ``rasa_port``.
    """
    settings = {"socketUrl": rasa_url, "rasaPort": rasa_port}
    config = f"window.PANDA_CONFIG = {json.dumps(settings)};\n"
    return {
        "/": ("text/html; charset=utf-8", (WEB / "index.html").read_bytes()),
        "/webchat.js": ("application/javascript", WIDGET.read_bytes()),
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
    print(f"Chat page: http://{args.host}:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
