"""The pages work under the strict Content-Security-Policy: the browser reports no violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import submit, wrong_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts; Playwright injects it outside the page's CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class CspWatch:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        page.add_init_script(RECORD_VIOLATIONS)

    def violations(self) -> list[str]:
        """What the browser said about the CSP so far, from the console and from the page's own events."""
        reported = self.page.evaluate("window.__cspViolations || []")
        logged = [
            line for line in self.console if "Content Security Policy" in line or "Content-Security-Policy" in line
        ]
        return [*logged, *reported]


@pytest.fixture
def csp_watch(page: Any) -> Iterator[CspWatch]:
    yield CspWatch(page)


def expect_strict_policy(response: Any) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, policy
    assert "script-src 'self'" in policy, policy  # plus a nonce on pages that use one
    assert "style-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy


def test_home_page_has_no_csp_violations(page, csp_watch):
    response = page.goto("/")
    expect_strict_policy(response)
    expect(page.locator("main h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert csp_watch.violations() == []

    # The language switch posts a form and follows a redirect: form-action 'self' must allow both.
    page.locator("header button[name=language][value=en]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert csp_watch.violations() == []


def test_totp_activation_page_has_no_csp_violations(page, sign_in, staff_without_totp, csp_watch):
    membership = staff_without_totp()
    sign_in(membership.user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("img.qr-image")).to_be_visible()  # a data: URI, allowed by img-src
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('img.qr-image').naturalWidth") > 0
    assert csp_watch.violations() == []

    # A wrong code re-renders the page with errors; still nothing blocked.
    page.fill("input[name=code]", wrong_code(page.locator("#authenticator_secret").input_value()))
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert csp_watch.violations() == []


def test_the_watch_does_notice_a_violation(page, csp_watch):
    """Guard against a watch that can never fire: an inline style must be reported."""
    page.goto("/")
    page.evaluate("""() => {
        const style = document.createElement("style");
        style.textContent = "body { color: red; }";
        document.head.append(style);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in line for line in csp_watch.violations()), csp_watch.violations()
    assert any("Content Security Policy" in line for line in csp_watch.console), csp_watch.console
