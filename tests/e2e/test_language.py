"""The portal is Arabic first; the header switch changes the language and the choice sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_TITLE = "Iraqi Government Portal"
ARABIC_TITLE = "بوابة الحكومة العراقية"


def expect_arabic(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    switch = page.locator("header button[name=language]")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("value", "en")
    expect(switch).to_have_attribute("lang", "en")


def expect_english(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    switch = page.locator("header button[name=language]")
    expect(switch).to_have_text("العربية")
    expect(switch).to_have_attribute("value", "ar")
    expect(switch).to_have_attribute("lang", "ar")


def test_switching_language_changes_the_page_and_sticks(page):
    page.goto("/")
    expect_arabic(page)
    expect(page.locator("main h1")).to_have_text(ARABIC_TITLE)

    page.locator("header button[name=language][value=en]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/$"))  # the switch brings the reader back to the same page
    expect_english(page)
    expect(page.locator("main h1")).to_have_text(ENGLISH_TITLE)
    expect(page.locator("main h1")).to_be_visible()

    # The choice is remembered on the next page.
    page.goto("/rollout/")
    expect_english(page)
    expect(page.locator("main h1")).to_have_text("Electronic exchange rollout")

    page.locator("header button[name=language][value=ar]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/rollout/$"))
    expect_arabic(page)
    expect(page.locator("main h1")).to_have_text("مراحل الربط بالتبادل الإلكتروني")

    page.goto("/")
    expect_arabic(page)
    expect(page.locator("main h1")).to_have_text(ARABIC_TITLE)


def test_the_browser_language_does_not_override_arabic(browser, live_server):
    """A shared office computer set to English must still get Arabic until someone chooses English."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", extra_http_headers={"Accept-Language": "en"}
    )
    try:
        page = context.new_page()
        page.goto("/")
        expect_arabic(page)
    finally:
        context.close()
