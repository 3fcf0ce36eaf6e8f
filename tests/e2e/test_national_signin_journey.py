"""A citizen signs in with the national identity, through the sandbox identity provider over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from govportal.accounts.models import CitizenProfile
from sandbox_idp.demo import sandbox_idp_demo
from tests.factories import PASSWORD, CitizenProfileFactory, LoanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PERSON = "198507220143"  # the sandbox's person from Erbil, no account yet
LOAN_OWNER = "199012345678"  # the sandbox's person who owns the demo loan


@pytest.fixture
def national(settings: Any, live_server: Any) -> None:
    """The portal's first provider is the sandbox identity provider on this live server."""
    from govportal.accounts.national_oidc.config import national_oidc_apps

    settings.SITE_URL = live_server.url
    apps = national_oidc_apps(
        sandbox_issuer=f"{live_server.url}/sandbox-idp", sandbox_secret="sandbox-idp-e2e-secret-0123"
    )
    settings.SOCIALACCOUNT_PROVIDERS = {**settings.SOCIALACCOUNT_PROVIDERS}
    settings.SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
        "APPS": apps,
    }
    settings.IDENTITY_SANDBOX_CLIENT_SECRET = "sandbox-idp-e2e-secret-0123"
    sandbox_idp_demo(live_server.url, PASSWORD)


def sign_in_at_the_provider(page: Any, national_id: str) -> None:
    page.locator("form.national-signin button").first.click()
    page.wait_for_url("**/sandbox-idp/**")
    page.locator("input[name=national_id]").fill(national_id)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[value=sign_in]").click()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_new_citizen_signs_in_nationally_and_sees_their_loan_without_typing_a_date_of_birth(
    page, live_server, national, choose_language, screenshot, width
):
    loan = LoanFactory(borrower_national_id=NEW_PERSON, number="IHF-ERB-2025-00088")
    page.set_viewport_size({"width": width, "height": 900})
    choose_language("en")
    page.goto("/accounts/login/")
    sign_in_at_the_provider(page, NEW_PERSON)
    page.wait_for_url("**/me/")
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator("main")).to_contain_text("هيوا جلال رشيد")
    expect(page.locator("main")).to_contain_text("••••••••0143")
    expect(page.locator("main")).to_contain_text("Verified by the national identity platform")
    screenshot(f"national-signin-me-{width}")
    page.goto("/housing/")
    expect(page.locator("main")).to_contain_text(loan.number)
    assert CitizenProfile.objects.get(national_id=NEW_PERSON).national_id_verified


def test_the_loan_owner_with_an_email_account_links_once_and_sees_the_loan(
    page, live_server, national, choose_language, screenshot
):
    owner = CitizenProfileFactory(national_id=LOAN_OWNER, user__email="citizen@example.iq").user
    loan = LoanFactory(borrower_national_id=LOAN_OWNER, borrower=owner)
    choose_language("ar")
    page.goto("/accounts/login/")
    sign_in_at_the_provider(page, LOAN_OWNER)
    page.wait_for_url("**/accounts/national/link/")
    expect(page.locator("h1")).to_have_text("اربط هويتك الوطنية بحسابك")
    screenshot("national-signin-link-ar")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="اربط وادخل").click()
    page.wait_for_url("**/me/")
    expect(page.locator("main")).to_contain_text("تحققت منه منصة الهوية الوطنية")
    page.goto("/housing/")
    expect(page.locator("main")).to_contain_text(loan.number)
    expect(page.locator("input[name=birth_date]")).to_have_count(0)


@pytest.mark.parametrize(
    ("button", "heading"),
    [
        ("sign_in_low", "National sign-in did not complete"),
        ("cancel", "Sign-in cancelled"),
        ("error", "National sign-in did not complete"),
    ],
)
def test_the_failures_offered_by_the_provider_leave_the_citizen_signed_out_with_the_email_sign_in(
    page, live_server, national, choose_language, button, heading
):
    choose_language("en")
    page.goto("/accounts/login/")
    page.locator("form.national-signin button").first.click()
    page.wait_for_url("**/sandbox-idp/**")
    page.locator("input[name=national_id]").fill(NEW_PERSON)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator(f"button[value={button}]").click()
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("main a[href='/accounts/login/']")).to_have_count(1)
    assert not CitizenProfile.objects.filter(national_id=NEW_PERSON).exists()


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
def test_the_national_sign_in_pages_have_no_wcag_violations(
    page, live_server, national, choose_language, screenshot, language
):
    from tests.e2e.test_accessibility import wcag_reports

    CitizenProfileFactory(national_id=LOAN_OWNER, user__email="citizen@example.iq")
    choose_language(language)
    reports = []
    page.goto("/accounts/login/")
    page.locator("form.national-signin button").first.click()
    page.wait_for_url("**/sandbox-idp/**")
    reports += wcag_reports(page, screenshot, f"sandbox-idp-sign-in-{language}")
    page.locator("input[name=national_id]").fill(LOAN_OWNER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[value=sign_in]").click()
    page.wait_for_url("**/accounts/national/link/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports += wcag_reports(page, screenshot, f"national-link-{language}")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    reports += wcag_reports(page, screenshot, f"national-link-wrong-{language}")
    page.goto("/accounts/login/")
    page.locator("form.national-signin button").first.click()
    page.wait_for_url("**/sandbox-idp/**")
    page.locator("input[name=national_id]").fill(NEW_PERSON)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[value=sign_in_low]").click()
    reports += wcag_reports(page, screenshot, f"national-refused-{language}")
    assert not reports, "\n".join(reports)
