"""The chat page in Vietnamese, then Korean, in headless Chromium (Debian's)."""
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.servers import Bot
from tests.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def vietnamese_page() -> Iterator[Page]:
    """A browser whose language is Vietnamese."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--lang=vi-VN"])
        context = browser.new_context(viewport={"width": 900, "height": 1000}, locale="vi-VN")
        yield context.new_page()
        browser.close()


def test_a_vietnamese_visitor_chats_in_vietnamese_then_switches_to_korean(
        vietnamese_page: Page, bot: Bot) -> None:
    page = vietnamese_page
    assert bot.web_url is not None
    page.goto(bot.web_url)
    messages = page.locator(".rw-messages-container")
    # the browser's language sets the page and the first greeting
    expect(messages).to_contain_text("chào mừng bạn đến với Panda Spa", timeout=30_000)
    expect(page.locator(".rw-new-message")).to_have_attribute(
        "placeholder", "Hỏi về giấc ngủ, căng thẳng, đau nhức, đặt lịch…")
    expect(page.locator("#language button[data-lang=vi]")).to_have_attribute(
        "aria-pressed", "true")

    page.locator(".rw-new-message").fill("spa o dau vay")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("Panda Spa có hai cơ sở tại Đà Nẵng", timeout=20_000)
    expect(messages).to_contain_text("Nguồn: Cẩm nang của Panda Spa", timeout=10_000)
    expect(messages).to_contain_text("(bản dịch từ tiếng Anh)")

    page.locator("#language button[data-lang=ko]").click()
    expect(messages).to_contain_text("오신 것을 환영합니다", timeout=20_000)
    expect(page.locator(".rw-new-message")).to_have_attribute(
        "placeholder", "수면, 스트레스, 통증, 예약에 대해 물어보세요…")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    # a message that tells no language is answered in the chosen one
    page.locator(".rw-new-message").fill("ok")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("물론이죠. 무엇이 궁금하세요?", timeout=20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-vi-ko.png"), full_page=True)

    page.locator(".rw-new-message").fill("영업시간이 어떻게 되나요")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("영업시간 정보는 없고", timeout=20_000)
