"""Issue 27: the chat page server (scripts/web.py) over real HTTP on loopback.

A forged Host header never reaches embed.js, and every answer forbids framing
and content sniffing.
"""
import json
import os
import subprocess
import time
from typing import Iterator

import pytest
import requests

from tests.support.servers import ROOT, VENV_BIN, free_port

SITE = "https://pandaspa.vn"


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("web")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work), "ENV_FILE": "",
           "WEB_ALLOWED_ORIGINS": f"{SITE},http://127.0.0.1:{port}", "WEB_PORT": str(port),
           "RASA_PORT": "5999", "WEB_PUBLIC_URL": "", "RASA_PUBLIC_URL": ""}
    server = subprocess.Popen([str(VENV_BIN / "python"), "-m", "scripts.web", "--port",
                               str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url, timeout=2)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def embed_settings(body: str) -> dict:
    first = body.split("\n", 1)[0]
    return json.loads(first.removeprefix("window.PANDA_EMBED = ").rstrip(";"))


def test_a_forged_host_header_is_not_reflected_into_embed_js(page_server: str) -> None:
    response = requests.get(f"{page_server}/embed.js", timeout=10, headers={
        "Origin": SITE, "Host": "evil.example"})
    assert response.status_code == 200 and "evil.example" not in response.text
    assert embed_settings(response.text) == {"chatUrl": page_server,
                                             "socketUrl": "http://127.0.0.1:5999"}


def test_an_allowed_host_still_names_the_chat_server(page_server: str) -> None:
    response = requests.get(f"{page_server}/embed.js", timeout=10, headers={"Origin": SITE})
    assert embed_settings(response.text)["chatUrl"] == page_server


@pytest.mark.parametrize("path,origin,status", [
    ("/", None, 200), ("/embed.js", SITE, 200), ("/embed.js", "https://evil.example", 403),
    ("/config.js", None, 200), ("/no-such-page", None, 404),
])
def test_every_answer_forbids_framing_and_sniffing(page_server: str, path: str,
                                                   origin: str | None, status: int) -> None:
    response = requests.get(f"{page_server}{path}", timeout=10,
                            headers={"Origin": origin} if origin else {})
    assert response.status_code == status
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
