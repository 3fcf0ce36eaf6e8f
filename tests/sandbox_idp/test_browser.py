"""The sign-in page in real Chromium: valid HTML, the script fills the form, the strict CSP holds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.html_checker import document_source, html_errors
from tests.sandbox_idp.conftest import NATIONAL_ID, RelyingParty, query_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_test_identity_fills_the_form_and_signing_in_returns_a_code(page: Any, rp: RelyingParty) -> None:
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(rp.authorize_url())
    assert html_errors(document_source(page)) == []

    page.click("a.idp-person")
    assert page.input_value("#id_national_id") == NATIONAL_ID
    with page.expect_request(lambda request: request.url.startswith(rp.redirect_uri)) as back:
        page.click("button[value=sign_in]")

    assert "code" in query_of(back.value.url) and query_of(back.value.url)["state"] == rp.state
    assert refused == []


def test_without_javascript_a_test_identity_fills_the_national_id(browser: Any, rp: RelyingParty) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(rp.authorize_url())

    page.click("a.idp-person")

    assert page.input_value("#id_national_id") == NATIONAL_ID
    context.close()


def test_a_wrong_password_page_is_valid_html_with_the_summary_focused(page: Any, rp: RelyingParty) -> None:
    page.goto(rp.authorize_url())
    page.fill("#id_national_id", NATIONAL_ID)
    page.fill("#id_password", "not-the-password")
    page.click("button[value=sign_in]")

    assert html_errors(document_source(page)) == []
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("h1").count() == 1


def test_the_error_and_signed_out_pages_are_valid_html(page: Any, rp: RelyingParty) -> None:
    for url in (
        rp.authorize_url(redirect_uri="https://attacker.example/"),
        f"{rp.metadata['end_session_endpoint']}?client_id=test-rp&post_logout_redirect_uri=https://attacker.example/",
    ):
        page.goto(url)

        assert html_errors(document_source(page)) == []
        assert page.locator("h1").count() == 1
