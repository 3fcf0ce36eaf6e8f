"""Sending a form (static/js/submit-guard.js): the pressed button says what is happening, a second click
sends nothing, and a page shown again is ready to be used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from collection.models import Payment
from tests.e2e.test_collection_accessibility import NATIONAL_ID, scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def held_posts(page: Any, path: str) -> list[Any]:
    """POSTs to ``path`` are held (the server seems slow) until the test lets them through."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(re.escape(path) + r"(\?.*)?$"), hold)
    return held


def let_through(page: Any, held: list[Any]) -> int:
    """Let the held POST go on (once the browser has sent it, and any second one it was going to send);
    how many there were."""
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(500)  # room for a second request, were one sent
    for route in held:
        route.continue_()
    return len(held)


SEEN = """button => ({
    text: button.textContent.trim(),
    disabled: button.getAttribute("aria-disabled"),
    busy: button.form.getAttribute("aria-busy"),
    said: document.querySelector("body > [role=status]").textContent,
})"""


def test_a_double_click_on_pay_starts_one_payment_and_the_button_says_it_is_starting(
    page, enter_as, choose_language, sandbox
):
    s = scene()
    enter_as(s.citizen)
    choose_language("en")
    page.goto(f"/collection/pay/?bills={s.bills[0].pk}&bills={s.bills[1].pk}")
    held = held_posts(page, "/collection/pay/")
    pay = page.locator("main form[method=post] button[type=submit]")
    pay.dblclick(no_wait_after=True)
    # While the request is on its way (the locators would wait for the navigation; evaluate does not):
    seen = page.evaluate(f"({SEEN})(document.querySelector('main form[method=post] button[type=submit]'))")
    label = "Starting the payment…"
    assert seen == {"text": label, "disabled": "true", "busy": "true", "said": label}
    page.evaluate("document.querySelector('main form[method=post] button[type=submit]').click()")  # and a third
    assert let_through(page, held) == 1
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    assert Payment.objects.count() == 1
    # Back to the page: ready again, whether the browser kept it (pageshow) or loads it anew.
    page.go_back()
    expect(pay).to_contain_text("165,000")
    expect(pay).not_to_have_attribute("aria-disabled", "true")
    expect(page.locator("main form[method=post]")).not_to_have_attribute("aria-busy", "true")


def test_an_arabic_page_says_it_is_recording_and_a_refused_slip_comes_back_ready(page, enter_as, choose_language):
    s = scene()
    enter_as(s.cashier)
    choose_language("ar")
    page.goto(f"/collection/outlet/?national_id={NATIONAL_ID}")
    page.locator(f"input[name=bills][value='{s.bills[0].pk}']").check()
    page.fill("input[name=rrn]", "123")  # too short: refused
    held = held_posts(page, "/collection/outlet/pay/")
    record = page.locator("form[action='/collection/outlet/pay/'] button[type=submit]")
    record.click(no_wait_after=True)
    seen = page.evaluate(f"({SEEN})(document.querySelector(\"form[action='/collection/outlet/pay/'] button\"))")
    assert seen == {"text": "جارٍ تسجيل الدفعة…", "disabled": "true", "busy": "true", "said": "جارٍ تسجيل الدفعة…"}
    assert let_through(page, held) == 1
    expect(page.locator(".error-summary")).to_be_visible()
    record = page.locator("form[action='/collection/outlet/pay/'] button[type=submit]")
    expect(record).not_to_have_attribute("aria-disabled", "true")
    expect(record).not_to_have_class(re.compile("is-sending"))
    expect(page.locator("body > [role=status]")).to_have_text("")
