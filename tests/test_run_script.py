"""scripts/run.sh (what `make run` starts): all three services, loopback only, Ctrl-C stops all."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator, Set

import pytest
import requests

from tests.support.servers import QUIET_ENV, ROOT, Process, free_port, wait_until


def listening_addresses(port: int) -> Set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}


@pytest.fixture(scope="module")
def ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("run")
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    env = {**os.environ, **QUIET_ENV, **{k: str(v) for k, v in ports.items()},
           "TRACKER_DB_URL": f"sqlite:///{workdir / 'conversations.db'}"}
    for name in ("RASA_HOST", "RASA_ENABLE_API", "ACTION_SERVER_HOST", "WEB_HOST"):
        env.pop(name, None)
    log = workdir / "run.log"
    popen = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env,
                             stdout=open(log, "w"), stderr=subprocess.STDOUT,
                             start_new_session=True)
    proc = Process(popen, log)
    wait_until(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/", proc, timeout=180)
    wait_until(f"http://127.0.0.1:{ports['WEB_PORT']}/", proc, timeout=30)
    yield {**ports, "proc": proc}
    proc.stop()


def test_the_bot_answers_through_run_sh(ports: dict) -> None:
    r = requests.post(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
                      json={"sender": "run-check", "message": "does foot massage help with sleep?"},
                      timeout=30)
    assert "30–60 minutes" in " ".join(m.get("text", "") for m in r.json())
    page = requests.get(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=10)
    assert "Panda Spa" in page.text and "/webchat.js" in page.text


def test_every_service_listens_on_loopback_only(ports: dict) -> None:
    for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT"):
        addresses = listening_addresses(ports[name])
        assert addresses and addresses <= LOOPBACK, (name, addresses)


def test_the_http_api_is_off_by_default(ports: dict) -> None:
    # without --enable-api Rasa registers no API route at all: not found, not "forbidden"
    r = requests.get(f"http://127.0.0.1:{ports['RASA_PORT']}/conversations/run-check/tracker",
                     timeout=10)
    assert r.status_code == 404


def test_ctrl_c_stops_all_three(ports: dict) -> None:
    proc = ports["proc"]
    os.killpg(proc.popen.pid, signal.SIGINT)
    proc.popen.wait(30)
    # Rasa's workers finish their graceful shutdown a moment after run.sh exits
    deadline = time.monotonic() + 30
    names = ("RASA_PORT", "ACTION_PORT", "WEB_PORT")
    while time.monotonic() < deadline and any(listening_addresses(ports[n]) for n in names):
        time.sleep(0.2)
    for name in names:
        assert listening_addresses(ports[name]) == set(), name


def test_the_api_is_refused_without_a_token() -> None:
    env = {**os.environ, "RASA_ENABLE_API": "true", "RASA_AUTH_TOKEN": "", "RASA_JWT_SECRET": ""}
    result = subprocess.run([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert re.search(r"needs RASA_AUTH_TOKEN or RASA_JWT_SECRET", result.stderr)
