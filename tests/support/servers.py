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

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # A developer's .env never reaches the processes the tests start.
    "ENV_FILE": "",
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


def endpoints_yaml(path: Path, tracker_store: Dict[str, Any],
                   lock_store: Dict[str, Any] | None = None) -> Path:
    """An endpoints file for a deployment other than `make run`'s (scale-out, tuning).

    Everything else starts with the shipped endpoints.yml.
    """
    import yaml

    content: Dict[str, Any] = {
        "action_endpoint": {"url": "http://127.0.0.1:${ACTION_PORT}/webhook",
                            "token": "${ACTION_SERVER_TOKEN}"},
        "tracker_store": tracker_store,
    }
    if lock_store:
        content["lock_store"] = lock_store
    # ${ACTION_PORT} must stay a plain (unquoted) scalar, or Rasa won't expand it.
    path.write_text(yaml.safe_dump(content, sort_keys=False).replace("'", ""))
    return path


def sqlite_url(db: Path) -> str:
    """The TRACKER_DB_URL of a SQLite file."""
    return f"sqlite:///{db}"


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
    web_url: str | None = None
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

    def tracker(self, sender: str, prefix: str = "rest:") -> Dict[str, Any]:
        """The stored conversation of ``sender``.

        REST conversations are stored as ``rest:<sender>``; pass ``prefix=""``
        for the provider channels (WhatsApp, Messenger), whose ids are kept as is.
        """
        r = self.session.get(
            f"{self.url}/conversations/{prefix}{sender}/tracker",
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
    db_url: str | None = None,
    with_actions: bool = True,
    token: str = "test-token",
    extra_env: Dict[str, str] | None = None,
    endpoints: Path | None = None,
) -> Bot:
    """Start the bot the way `make run` does, on free loopback ports.

    With the action server, this is ``scripts/run.sh`` itself (action server,
    Rasa and the chat page) reading the shipped endpoints.yml and
    credentials.yml; only the ports, the database (``TRACKER_DB_URL``) and the
    API token come from the environment. Without it, Rasa alone is started
    with the same command line and files, and ACTION_PORT points at a port
    nothing listens on. ``endpoints`` replaces endpoints.yml only for the
    deployments README describes besides `make run` (several servers).
    """
    model = ROOT / "models" / "panda.tar.gz"
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    rasa_port = free_port()
    db = workdir / "conversations.db"
    env = {
        "RASA_PORT": str(rasa_port), "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(free_port()), "RASA_HOST": "127.0.0.1",
        "TRACKER_DB_URL": db_url or sqlite_url(db),
        "RASA_ENABLE_API": "true", "RASA_AUTH_TOKEN": token,
        # Rasa calls the action server with it (endpoints.yml), as a deployment should
        "ACTION_SERVER_TOKEN": f"actions-{rasa_port}-{os.getpid()}",
        "LOCK_DIR": str(workdir / "locks"),
        **(extra_env or {}),
    }
    if endpoints is not None:
        env["RASA_ENDPOINTS"] = str(endpoints)
    if with_actions:
        rasa = spawn([str(ROOT / "scripts" / "run.sh")], workdir / "rasa.log", env)
    else:
        rasa = spawn(
            [str(VENV_BIN / "rasa"), "run", "--model", str(model),
             "--interface", "127.0.0.1", "--port", str(rasa_port),
             "--enable-api", "--auth-token", token,
             "--credentials", str(ROOT / "credentials.yml"),
             "--endpoints", str(endpoints or ROOT / "endpoints.yml")],
            workdir / "rasa.log", env,
        )
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        if with_actions:
            wait_until(f"http://127.0.0.1:{env['ACTION_PORT']}/health", rasa)
        wait_until(f"{url}/status?token={token}", rasa)
    except Exception:
        rasa.stop()
        raise
    web_url = f"http://127.0.0.1:{env['WEB_PORT']}/" if with_actions else None
    if web_url:
        wait_until(web_url, rasa, timeout=30)
    return Bot(url, token, rasa, None, db if db_url is None else None, web_url)


def rasa_pids(proc: Process) -> List[int]:
    """Every `rasa run` process of ``proc``: the main process and its workers, oldest first."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != proc.popen.pid:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue
        if len(argv) > 2 and (argv[1].endswith(b"/rasa") and argv[2] == b"run"
                              or argv[1:3] == [b"-m", b"scripts.rasa_run"]):
            found.append(int(entry.name))
    if not found:
        raise LookupError("no rasa process in that process group")
    return sorted(found)
