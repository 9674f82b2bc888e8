"""Start the action server and Rasa as real processes on loopback.

Shared by the tests and the benchmark, so both talk to the bot exactly as a
channel does: over HTTP.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


def channel_env() -> Dict[str, str]:
    """Every variable .env.example names, from the environment or empty.

    credentials.yml refers to them all; an empty one leaves its channel closed.
    """
    names = [line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
             if line and not line.startswith("#") and "=" in line]
    return {name: os.environ.get(name, "") for name in names}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_endpoints(path: Path, action_port: int, tracker_store: str) -> Path:
    """An endpoints file pointing at this action server and tracker store."""
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f"{tracker_store}"
    )
    return path


def sqlite_tracker_store(db: Path) -> str:
    """The tracker_store section for a SQLite file."""
    return f"tracker_store:\n  type: storage.tracker_store.PandaSQLTrackerStore\n  db: {db}\n"


@dataclass
class Process:
    """A child process with its log file."""

    popen: subprocess.Popen
    log: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop the process (and its children)."""
        if self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout)

    def tail(self, lines: int = 40) -> str:
        """The last lines of the log, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def spawn(args: List[str], log: Path, env: Dict[str, str] | None = None) -> Process:
    """Start ``args`` in its own process group, logging to ``log``."""
    full_env = {**os.environ, **channel_env(), **QUIET_ENV, **(env or {})}
    handle = open(log, "w")
    popen = subprocess.Popen(
        args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=full_env,
        start_new_session=True,
    )
    return Process(popen, log)


def wait_until(url: str, proc: Process, timeout: float = 180) -> float:
    """Seconds until ``url`` answers 200; raises if the process dies or time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"process exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout}s:\n{proc.tail()}")


@dataclass
class Bot:
    """A running Rasa server with its action server."""

    url: str
    token: str
    rasa: Process
    actions: Process | None
    db: Path | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def say(self, text: str, sender: str = "tester") -> List[Dict[str, Any]]:
        """Send one message to the REST channel; the bot's messages."""
        r = self.session.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text}, timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def parse(self, text: str) -> Dict[str, Any]:
        """NLU result for ``text`` from the HTTP API."""
        r = self.session.post(
            f"{self.url}/model/parse", params={"token": self.token},
            json={"text": text}, timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The stored conversation of ``sender``."""
        r = self.session.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": self.token}, timeout=30,
        )
        r.raise_for_status()
        return r.json()

    def stop(self) -> None:
        """Stop Rasa and the action server."""
        self.rasa.stop()
        if self.actions:
            self.actions.stop()


def start_bot(
    workdir: Path,
    model: Path = ROOT / "models" / "panda.tar.gz",
    tracker_store: str | None = None,
    with_actions: bool = True,
    token: str = "test-token",
    extra_env: Dict[str, str] | None = None,
) -> Bot:
    """Start the action server (optional) and Rasa on free loopback ports."""
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    action_port, rasa_port = free_port(), free_port()
    db = workdir / "conversations.db"
    store = tracker_store if tracker_store is not None else sqlite_tracker_store(db)
    endpoints = write_endpoints(workdir / "endpoints.yml", action_port, store)
    actions = None
    if with_actions:
        actions = spawn(
            [str(VENV_BIN / "python"), "-m", "actions.server", "--port", str(action_port)],
            workdir / "actions.log", extra_env,
        )
    rasa = spawn(
        [str(VENV_BIN / "rasa"), "run", "--model", str(model),
         "--interface", "127.0.0.1", "--port", str(rasa_port),
         "--enable-api", "--auth-token", token,
         "--credentials", str(ROOT / "credentials.yml"),
         "--endpoints", str(endpoints)],
        workdir / "rasa.log", extra_env,
    )
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        if actions:
            wait_until(f"http://127.0.0.1:{action_port}/health", actions)
        wait_until(f"{url}/status?token={token}", rasa)
    except Exception:
        rasa.stop()
        if actions:
            actions.stop()
        raise
    return Bot(url, token, rasa, actions, db if tracker_store is None else None)
