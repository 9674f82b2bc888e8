"""Issue 27: the chat page server (scripts/web.py) over real HTTP on loopback.

A forged Host header never reaches embed.js, and every answer forbids framing
and content sniffing.
"""
import json
from typing import Iterator

import pytest
import requests

from tests.support.servers import VENV_BIN, free_port, spawn, wait_until

SITE = "https://pandaspa.vn"


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("web")
    port = free_port()
    env = {"ENV_FILE": "", "WEB_ALLOWED_ORIGINS": f"{SITE},http://127.0.0.1:{port}",
           "WEB_PORT": str(port), "RASA_PORT": "5999", "WEB_PUBLIC_URL": "",
           "RASA_PUBLIC_URL": ""}
    server = spawn([str(VENV_BIN / "python"), "-m", "scripts.web", "--port", str(port)],
                   work / "web.log", env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(url, server, timeout=30)
        yield url
    finally:
        server.stop()


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
