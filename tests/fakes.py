"""A stand-in for Twilio's and Meta's APIs: a real HTTP server on loopback.

It answers every POST with 200 (or a configured error) and records what it was sent, so tests can
check what the bot would have delivered to WhatsApp or Messenger.
"""
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qs


@dataclass
class Recorded:
    """One request the fake received."""

    path: str
    headers: Dict[str, str]
    body: bytes
    reply: Dict[str, Any] = field(default_factory=dict)
    status: int = 200

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class FakeProvider:
    """The running fake; ``requests`` fills up as the bot calls it."""

    server: ThreadingHTTPServer
    requests: List[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # [text in the body, HTTP status, JSON answer, times left (None: always)]: answer
    # matching requests with an error
    failures: List[List[Any]] = field(default_factory=list)

    def fail_when(self, match: str, status: int, answer: Dict[str, Any],
                  times: int | None = None) -> None:
        """Answer requests whose body contains ``match`` with ``status`` and ``answer``.

        Every such request, or only the next ``times`` of them.
        """
        with self.lock:
            self.failures.append([match, status, answer, times])

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def sent_to(self, path_part: str, since: int = 0) -> List[Recorded]:
        with self.lock:
            return [r for r in self.requests[since:] if path_part in r.path]

    def wait_for(self, path_part: str, since: int = 0, count: int = 1,
                 timeout: float = 10, match: str | None = None) -> List[Recorded]:
        """Requests to ``path_part`` after index ``since``, waiting for ``count`` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in self.sent_to(path_part, since)
                     if match is None or match.encode() in r.body]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return [r for r in self.sent_to(path_part, since)
                if match is None or match.encode() in r.body]

    def mark(self) -> int:
        with self.lock:
            return len(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_fake_provider() -> FakeProvider:
    """Start the fake on a free loopback port, in a background thread."""
    holder: Dict[str, FakeProvider] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            fake = holder["fake"]
            with fake.lock:
                status, answer = 200, {"messages": [{"id": f"wamid.fake{len(fake.requests)}"}],
                                       "message_id": f"m_fake{len(fake.requests)}",
                                       "sid": "SMfake"}
                for failure in fake.failures:
                    match, failed_status, failed_answer, left = failure
                    if match.encode() in body and (left is None or left > 0):
                        status, answer = failed_status, failed_answer
                        if left is not None:
                            failure[3] = left - 1
                fake.requests.append(Recorded(self.path, dict(self.headers), body, answer,
                                              status))
            reply = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["fake"] = FakeProvider(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["fake"]
