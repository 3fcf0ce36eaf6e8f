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


def posts_to(page: Any, path: str) -> list[Any]:
    """Every POST the browser sends to ``path``, as it sends it."""
    sent: list[Any] = []

    def seen(request: Any) -> None:
        if request.method == "POST" and path in request.url:
            sent.append(request)

    page.on("request", seen)
    return sent


# What the page showed once the form was sent, kept in the tab's sessionStorage so that it can be read
# after the page has gone: a listener on the window hears the submit event after the guard's own (on
# the document) has run. No request is held: evaluating a page whose navigation is held can hang.
WATCH = """() => window.addEventListener("submit", (event) => {
    if (sessionStorage.getItem("seen")) return;
    const button = event.submitter || event.target.querySelector("button[type=submit]");
    sessionStorage.setItem("seen", JSON.stringify({
        text: button.textContent.trim(),
        disabled: button.getAttribute("aria-disabled"),
        busy: event.target.getAttribute("aria-busy"),
        said: document.querySelector("body > [role=status]").textContent,
    }));
})"""


def seen_when_sent(page: Any) -> dict[str, Any]:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('seen'))")


def test_a_double_click_on_pay_starts_one_payment_and_the_button_says_it_is_starting(
    page, enter_as, choose_language, sandbox
):
    s = scene()
    enter_as(s.citizen)
    choose_language("en")
    page.goto(f"/collection/pay/?bills={s.bills[0].pk}&bills={s.bills[1].pk}")
    sent = posts_to(page, "/collection/pay/")
    page.evaluate(WATCH)
    pay = page.locator("main form[method=post] button[type=submit]")
    # A click, then another 30 ms later, once the first request is on its way (a double click within a
    # few milliseconds is merged by Chromium itself before anything is sent).
    page.evaluate("""() => {
        const button = document.querySelector("main form[method=post] button[type=submit]");
        button.click();
        setTimeout(() => button.click(), 30);
    }""")
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    assert len(sent) == 1  # the second click sent nothing
    label = "Starting the payment…"
    assert seen_when_sent(page) == {"text": label, "disabled": "true", "busy": "true", "said": label}
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
    sent = posts_to(page, "/collection/outlet/pay/")
    page.evaluate(WATCH)
    record = page.locator("form[action='/collection/outlet/pay/'] button[type=submit]")
    record.dblclick()
    expect(page.locator(".error-summary")).to_be_visible()
    assert len(sent) == 1
    label = "جارٍ تسجيل الدفعة…"
    assert seen_when_sent(page) == {"text": label, "disabled": "true", "busy": "true", "said": label}
    record = page.locator("form[action='/collection/outlet/pay/'] button[type=submit]")
    expect(record).not_to_have_attribute("aria-disabled", "true")
    expect(record).not_to_have_class(re.compile("is-sending"))
    expect(page.locator("body > [role=status]")).to_have_text("")
