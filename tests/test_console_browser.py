"""The staff console in Debian's headless Chromium: log in, filter, read, export, mark."""
from pathlib import Path
from typing import Dict, Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.console_support import GIBBERISH, PASSWORD, shown
from tests.test_webchat import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        yield context.new_page()
        browser.close()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_staff_review_filter_export_and_mark(page: Page, console: str,
                                             had_conversations: Dict[str, str],
                                             tmp_path: Path) -> None:
    page.goto(console)
    expect(page.locator("h1")).to_have_text("Log in")
    page.fill("input[name=username]", "lan")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Conversations")

    page.check("input[name=fallback]")
    page.click("text=Filter")
    listing = page.locator("tr.conversation")
    expect(listing.filter(has_text=GIBBERISH)).to_have_count(1)
    booking = shown(had_conversations["booking"])  # the console shows pseudonyms
    expect(page.locator(f"a[href$='{booking}']")).to_have_count(0)

    with page.expect_download() as download:
        page.click("text=Export CSV")
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    assert GIBBERISH in saved.read_text() and booking not in saved.read_text()

    page.click(f"text={GIBBERISH}")
    expect(page.locator("tr.turn").first).to_contain_text("nlu_fallback")
    page.locator("tr.turn").first.locator("select[name=intent]").select_option("ask_sleep")
    page.locator("tr.turn").first.locator("button", has_text="Mark").click()
    expect(page.locator(".flash")).to_have_text("Labelled as ask_sleep.")
    expect(page.locator("tr.turn").first).to_contain_text("labelled: ask_sleep")

    page.click("text=Dashboard")
    expect(page.locator("figure.chart svg")).to_have_count(4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-dashboard.png"), full_page=True)
    page.goto(f"{console}/conversations/{shown(had_conversations['sleep'])}")
    expect(page.locator("body")).to_contain_text("2.3. Benefit 3")
    page.screenshot(path=str(ARTIFACTS / "console-transcript.png"), full_page=True)
