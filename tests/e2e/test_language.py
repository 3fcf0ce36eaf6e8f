"""The portal is Arabic first; the header switch changes the language and the choice sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH_TITLE = "Iraqi Government Portal"
ARABIC_TITLE = "بوابة الحكومة العراقية"


# Each language in its own name and script, as the switch offers it.
OWN_NAMES = {"ar": "العربية", "ckb": "کوردی", "en": "English"}
DIRECTION = {"ar": "rtl", "ckb": "rtl", "en": "ltr"}


def expect_language(page, language: str) -> None:
    """The page is in ``language`` and its switch offers the two others, each in its own name."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[language])
    others = [code for code in OWN_NAMES if code != language]
    switch = page.locator("header button[name=language]")
    expect(switch).to_have_text([OWN_NAMES[code] for code in others])
    for index, code in enumerate(others):
        expect(switch.nth(index)).to_have_attribute("value", code)
        expect(switch.nth(index)).to_have_attribute("lang", code)
        expect(switch.nth(index)).to_have_attribute("dir", DIRECTION[code])


def expect_arabic(page) -> None:
    expect_language(page, "ar")


def expect_english(page) -> None:
    expect_language(page, "en")


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


def test_kurdish_is_chosen_with_the_switch_and_reads_right_to_left(page):
    page.goto("/rollout/")
    page.locator("header button[name=language][value=ckb]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/rollout/$"))
    expect_language(page, "ckb")
    page.goto("/")
    expect_language(page, "ckb")  # remembered
    page.locator("header button[name=language][value=en]").click()
    page.wait_for_load_state()
    expect_english(page)
    page.locator("header button[name=language][value=ckb]").click()
    page.wait_for_load_state()
    expect_language(page, "ckb")
    page.locator("header button[name=language][value=ar]").click()
    page.wait_for_load_state()
    expect_arabic(page)


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_the_switch_fits_a_phone_header_in_every_language(page, choose_language, language):
    """At 360 px both languages offered stay on screen, and nothing makes the page scroll sideways."""
    choose_language(language)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    expect_language(page, language)
    for button in page.locator("header button[name=language]").all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (language, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


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
