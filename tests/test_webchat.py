"""The website chat page in headless Chromium (Debian's), driven by Playwright."""
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.servers import ROOT, Bot

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def chat_page(bot: Bot) -> str:
    """The chat page exactly as `make run` serves it (scripts/run.sh), with no public URL set:
    the page finds Rasa on its own host at RASA_PORT."""
    assert bot.web_url is not None
    return bot.web_url


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

    page.locator(".rw-new-message").fill("how can I contact you?")
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
