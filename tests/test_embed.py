"""The one-tag embed on the spa's website, in Debian's Chromium across loopback origins.

The bot runs as `make run` starts it (scripts/run.sh: Rasa, actions and the
chat server) with WEB_ALLOWED_ORIGINS listing the spa's site. The site is
served from another origin (http://localhost:<port>); a third origin
(http://127.0.0.2:<port>) is not listed and is refused by both the script's
server and socket.io.
"""
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
import requests
from playwright.sync_api import Browser, expect, sync_playwright

from tests.support.servers import ROOT, Bot, free_port, start_bot, wait_until
from tests.test_webchat import CHROMIUM, CHROMIUM_ARGS

SCREENSHOT = ROOT / "tests" / "artifacts" / "embed.png"  # docs/embed.png is a copy


def spa_page(chat_url: str, title: str) -> bytes:
    """A plain page of the spa's website, with the one tag."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Panda Spa Da Nang</title>
<link rel="icon" href="data:,">
<style>body{{margin:0;font-family:Georgia,serif;background:#fbf8f3;color:#2b2b2b}}
header{{background:#2f4f3e;color:#fff;padding:18px 40px}} main{{padding:30px 40px;max-width:760px}}
nav a{{color:#f3e6cc;margin-right:18px}}</style></head>
<body><header><h1>Panda Spa Da Nang</h1>
<nav><a href="/">Home</a><a href="/treatments/foot-massage.html">Foot massage</a></nav></header>
<main><h2>{title}</h2><p>Massage and foot massage at 229 and 225 Nguyen Van Thoai, Da Nang.
Relax, sleep better and let your feet rest after a day of walking the city.</p></main>
<script src="{chat_url}/embed.js" data-lang="auto" defer></script>
</body></html>""".encode()


@dataclass
class Site:
    """A website on one loopback origin."""

    origin: str
    server: ThreadingHTTPServer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_site(host: str, chat_url: str) -> Site:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path not in ("/", "/treatments/foot-massage.html"):
                self.send_error(404)
                return
            body = spa_page(chat_url, "Welcome" if self.path == "/" else "Foot massage")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    name = "localhost" if host == "127.0.0.1" else host
    return Site(f"http://{name}:{server.server_address[1]}", server)


@dataclass
class Embedding:
    bot: Bot
    chat_url: str
    listed: Site
    unlisted: Site


@pytest.fixture(scope="module")
def embedding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedding]:
    web_port = free_port()
    chat_url = f"http://127.0.0.1:{web_port}"
    listed = serve_site("127.0.0.1", chat_url)  # seen as http://localhost:<port>
    unlisted = serve_site("127.0.0.2", chat_url)
    bot = start_bot(tmp_path_factory.mktemp("embed"), extra_env={
        "WEB_PORT": str(web_port), "WEB_ALLOWED_ORIGINS": f"{listed.origin}, {chat_url}"})
    try:
        wait_until(f"{chat_url}/", bot.rasa, timeout=30)
        yield Embedding(bot, chat_url, listed, unlisted)
    finally:
        bot.stop()
        listed.stop()
        unlisted.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_script_is_served_only_to_pages_of_listed_origins(embedding: Embedding) -> None:
    url = f"{embedding.chat_url}/embed.js"
    ok = requests.get(url, headers={"Referer": f"{embedding.listed.origin}/any/page.html"})
    assert ok.status_code == 200 and "window.PANDA_EMBED" in ok.text
    refused = requests.get(url, headers={"Referer": f"{embedding.unlisted.origin}/"})
    assert refused.status_code == 403 and "not in WEB_ALLOWED_ORIGINS" in refused.text
    assert requests.get(url).status_code == 403


def test_a_listed_site_shows_the_launcher_and_has_a_conversation(
        embedding: Embedding, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{embedding.listed.origin}/")
    launcher = page.locator(".rw-launcher")
    expect(launcher).to_be_visible(timeout=30_000)
    expect(page.locator(".rw-unread-count-pastille")).to_have_text("1", timeout=30_000)
    expect(page.locator("body")).to_contain_text("welcome to Panda Spa",
                                                            timeout=30_000)
    colour = launcher.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(47, 79, 62)"  # the spa's green, #2f4f3e
    time.sleep(1)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    launcher.click()
    page.locator(".rw-new-message").fill("does foot massage help with sleep?")
    page.keyboard.press("Enter")
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("30–60 minutes before bedtime", timeout=30_000)
    session = json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]
    events = embedding.bot.tracker(session, prefix="web:")["events"]  # chat ids are web:<id>
    texts = [e["text"] for e in events if e["event"] == "user"]
    assert texts[-1] == "does foot massage help with sleep?"
    assert texts[0] == '/greet{"language":"en"}'
    context.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_any_page_of_the_listed_site_greets_in_the_browser_language(
        embedding: Embedding, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{embedding.listed.origin}/treatments/foot-massage.html")
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=30_000)
    expect(page.locator("#panda-spa-chat")).to_have_attribute("lang", "vi")
    page.wait_for_function("localStorage.getItem('chat_session') !== null", timeout=30_000)
    session = json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]
    deadline = time.monotonic() + 20
    texts: list = []
    while time.monotonic() < deadline and not texts:
        texts = [e["text"] for e in embedding.bot.tracker(session, prefix="web:")["events"]
                 if e["event"] == "user"]
        time.sleep(0.5)
    assert texts[:1] == ['/greet{"language":"vi"}']
    context.close()


def test_an_unlisted_site_is_refused(embedding: Embedding, browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    refused = []
    page.on("response", lambda r: refused.append(r.status) if "embed.js" in r.url else None)
    page.goto(f"{embedding.unlisted.origin}/")
    page.wait_for_timeout(3000)
    assert refused == [403]
    assert page.locator(".rw-launcher").count() == 0
    rasa = embedding.bot.url
    reached = page.evaluate("""url => fetch(url + '/socket.io/?EIO=4&transport=polling')
        .then(r => 'status ' + r.status).catch(e => 'refused')""", rasa)
    assert reached == "refused"  # no CORS header for this origin: the browser blocks it
    context.close()

