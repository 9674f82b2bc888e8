"""The website chat page in headless Chromium (Debian's), driven by Playwright."""
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from scripts.servers import ROOT, Bot, Process, wait_until

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def chat_page(bot: Bot, tmp_path_factory: pytest.TempPathFactory,
              chat_port: int) -> Iterator[str]:
    """The chat page served by scripts/web.py (on the origin the bot allows)."""
    port = chat_port
    log = tmp_path_factory.mktemp("web") / "web.log"
    popen = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "web.py"), "--port", str(port),
         "--rasa-url", bot.url],
        cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    proc = Process(popen, log)
    url = f"http://127.0.0.1:{port}/"
    wait_until(url, proc, timeout=30)
    yield url
    proc.stop()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 900, "height": 1000})
        yield context.new_page()
        browser.close()


def test_a_visitor_chats_clicks_a_button_and_keeps_the_history(page: Page, chat_page: str) -> None:
    page.goto(chat_page)
    messages = page.locator(".rw-messages-container")
    expect(messages).to_contain_text("welcome to Panda Spa", timeout=30_000)

    page.locator(".rw-new-message").fill("does foot massage help with sleep?")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("30–60 minutes before bedtime", timeout=20_000)
    expect(messages).to_contain_text("Source: Panda Spa's guide", timeout=10_000)
    replies = page.locator(".rw-reply")
    expect(replies.filter(has_text="Book a session").last).to_be_visible()

    replies.filter(has_text="How often should I come?").last.click()
    expect(messages).to_contain_text("2–3 sessions a week", timeout=20_000)

    page.locator(".rw-new-message").fill("I want to book")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("booking@pandaspa.vn", timeout=20_000)
    call = page.locator("a.rw-reply", has_text="Call Hotline 1").last
    expect(call).to_have_attribute("href", "tel:+84708185397")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)

    page.reload()
    expect(messages).to_contain_text("30–60 minutes before bedtime", timeout=20_000)
    expect(messages).to_contain_text("2–3 sessions a week")
    page.screenshot(path=str(ARTIFACTS / "webchat-after-reload.png"), full_page=True)
    assert Path(ARTIFACTS / "webchat.png").stat().st_size > 10_000
