"""The chat page in Vietnamese, then Korean, and in Chinese, in headless Chromium (Debian's)."""
from typing import Any, Dict, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from language.script import to_traditional
from tests.support.servers import Bot
from tests.test_chinese import zh_variant
from tests.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module (Playwright's sync API runs one at a time)."""
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def page_in(browser: Browser, locale: str) -> Page:
    """A page of a browser context whose language is ``locale``."""
    context = browser.new_context(viewport={"width": 900, "height": 1000}, locale=locale)
    return context.new_page()


@pytest.fixture(scope="module")
def vietnamese_page(browser: Browser) -> Page:
    """A browser whose language is Vietnamese."""
    return page_in(browser, "vi-VN")


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


@pytest.fixture
def mainland_page(browser: Browser) -> Page:
    return page_in(browser, "zh-CN")


@pytest.fixture
def taiwan_page(browser: Browser) -> Page:
    return page_in(browser, "zh-TW")


def test_a_chinese_visitor_chats_in_chinese_on_the_chat_page(
        mainland_page: Page, bot: Bot, responses: Dict[str, Any]) -> None:
    page = mainland_page
    assert bot.web_url is not None
    page.goto(bot.web_url)
    messages = page.locator(".rw-messages-container")
    greeting = zh_variant(responses, "utter_greet")["text"]
    expect(messages).to_contain_text(greeting[:12], timeout=30_000)
    expect(page.locator(".rw-new-message")).to_have_attribute(
        "placeholder", "可以问睡眠、压力、疼痛、预约…")
    expect(page.locator("#language button[data-lang=zh]")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator("html")).to_have_attribute("lang", "zh")

    page.locator(".rw-new-message").fill("做足疗能帮我入睡吗？")
    page.keyboard.press("Enter")
    answer = zh_variant(responses, "utter_ask_sleep", "foot")
    expect(messages).to_contain_text(answer["text"][:15], timeout=20_000)
    expect(messages).to_contain_text("来源：《Panda Spa 足疗益处指南》", timeout=10_000)
    expect(messages).to_contain_text("（译自英文原文）")
    # the answer's own buttons, in Chinese
    expect(page.locator(".rw-replies")).to_contain_text(answer["buttons"][0]["title"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-zh.png"), full_page=True)


def test_a_reader_of_traditional_characters_is_greeted_and_answered_in_them(
        taiwan_page: Page, bot: Bot, responses: Dict[str, Any]) -> None:
    page = taiwan_page
    assert bot.web_url is not None
    page.goto(bot.web_url)
    messages = page.locator(".rw-messages-container")
    greeting = to_traditional(zh_variant(responses, "utter_greet")["text"])
    expect(messages).to_contain_text(greeting[:12], timeout=30_000)
    expect(page.locator(".rw-new-message")).to_have_attribute(
        "placeholder", "可以問睡眠、壓力、疼痛、預約…")

    page.locator(".rw-new-message").fill("孕婦可以做足療嗎")
    page.keyboard.press("Enter")
    variant = zh_variant(responses, "utter_ask_pregnancy", "foot")
    expect(messages).to_contain_text(to_traditional(variant["text"])[:15], timeout=20_000)
    article = variant["custom"]["source"]["translated"]["article"]
    expect(messages).to_contain_text(to_traditional(f"来源：《{article}》"), timeout=10_000)
    expect(messages).to_contain_text("（譯自英文原文）")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat-zh-hant.png"), full_page=True)
