"""axe-core finds no WCAG 2.2 AA violations on the main pages, in Arabic and English, on a phone and a desktop,
and the Nu HTML checker finds no error in their HTML (``wcag_reports``, which every page walk calls).

Each page is also saved as a screenshot under test-results/screens/<page>-<language>-<width>.png
so that people can look at the RTL layout and the narrow-screen layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from govportal.accounts.services import membership_grant
from govportal.entities.constants import EntityKind, LinkagePhase
from govportal.entities.services import entity_link, phase_open
from tests.e2e.conftest import fresh_totp, submit, wrong_code
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory, UserFactory, totp_secret
from tests.html_checker import document_source, html_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
VIEWPORTS = [{"width": 360, "height": 800}, {"width": 1280, "height": 900}]
axe = Axe()


def some_entities() -> None:
    """A small hierarchy, part of it linked, so the rollout chart and tables have rows to show."""
    ministry = EntityFactory(name_ar="وزارة التخطيط", name_en="Ministry of Planning")
    EntityFactory(name_ar="وزارة الصحة", name_en="Ministry of Health")
    EntityFactory(kind=EntityKind.GOVERNORATE, name_ar="محافظة البصرة", name_en="Basra Governorate")
    EntityFactory(kind=EntityKind.DIRECTORATE, parent=ministry, name_ar="دائرة التخطيط", name_en="Planning Directorate")
    phase_open(number=LinkagePhase.MINISTRIES)
    entity_link(entity=ministry)


# --- how to reach each page; each returns nothing and leaves the page showing what is to be checked ---


def home(page: Any, sign_in: Callable[..., None]) -> None:
    some_entities()
    page.goto("/")


def rollout(page: Any, sign_in: Callable[..., None]) -> None:
    some_entities()
    page.goto("/rollout/")


def login(page: Any, sign_in: Callable[..., None]) -> None:
    page.goto("/accounts/login/")


def signup(page: Any, sign_in: Callable[..., None]) -> None:
    page.goto("/accounts/signup/")


def password_reset(page: Any, sign_in: Callable[..., None]) -> None:
    page.goto("/accounts/password/reset/")


def not_found(page: Any, sign_in: Callable[..., None]) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404


def login_failed(page: Any, sign_in: Callable[..., None]) -> None:
    user = UserFactory()
    sign_in(user.email, password="not-the-password-1")
    expect(page.locator(".error-summary")).to_be_visible()


def signup_errors(page: Any, sign_in: Callable[..., None]) -> None:
    page.goto("/accounts/signup/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field--error").first).to_be_visible()


def my_account(page: Any, sign_in: Callable[..., None]) -> None:
    user = UserFactory()
    CitizenProfileFactory(user=user)
    sign_in(user.email)
    page.goto("/me/")
    expect(page).to_have_url(re.compile(r"/me/$"))


def entity_workspace(page: Any, sign_in: Callable[..., None]) -> None:
    head = MembershipFactory(role=Role.ENTITY_HEAD)
    EntityFactory(directorate=True, parent=head.entity)
    membership_grant(user=UserFactory(), entity=head.entity, role=Role.REGISTRY_CLERK, actor=head.user)
    sign_in(head.user.email, totp=fresh_totp(head.user))
    page.goto(f"/workspace/{head.entity.code}/")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main table")).to_be_visible()


def totp_activate(page: Any, sign_in: Callable[..., None]) -> None:
    membership = membership_grant(user=UserFactory(), entity=EntityFactory(), role=Role.REGISTRY_CLERK)
    sign_in(membership.user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))


def totp_wrong_code(page: Any, sign_in: Callable[..., None]) -> None:
    membership = MembershipFactory()
    sign_in(membership.user.email, totp=wrong_code(totp_secret(membership.user)))
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator(".error-summary")).to_be_visible()


def totp_used_code(page: Any, sign_in: Callable[..., None]) -> None:
    """The code that signed the member in a moment ago, typed again at the next sign-in."""
    membership = MembershipFactory()
    code = fresh_totp(membership.user)
    sign_in(membership.user.email, totp=code)
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()
    sign_in(membership.user.email, totp=code)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator(".field__error")).to_be_visible()


def signup_kept_values(page: Any, sign_in: Callable[..., None]) -> None:
    """One mistake: its message beside the field, everything else typed still there."""
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "zainab@example.iq")
    page.fill("input[name=full_name]", "زينب علي")
    page.fill("input[name=national_id]", "199012345678")
    page.fill("input[name=phone]", "0123")
    page.fill("input[name=password1]", "Baghdad-Tigris-2026")
    page.fill("input[name=password2]", "Baghdad-Tigris-2026")
    submit(page)
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator("input[name=full_name]")).to_have_value("زينب علي")


def signup_sent(page: Any, sign_in: Callable[..., None]) -> None:
    """After signing up (or trying to with a registered national ID number): check your e-mail."""
    CitizenProfileFactory(national_id="199012345678")
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "zainab@example.iq")
    page.fill("input[name=full_name]", "زينب علي")
    page.fill("input[name=national_id]", "199012345678")
    page.fill("input[name=phone]", "07701234567")
    page.fill("input[name=password1]", "Baghdad-Tigris-2026")
    page.fill("input[name=password2]", "Baghdad-Tigris-2026")
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))


PAGES = {
    "home": home,
    "rollout": rollout,
    "login": login,
    "signup": signup,
    "password-reset": password_reset,
    "404": not_found,
    "login-failed": login_failed,
    "signup-errors": signup_errors,
    "my-account": my_account,
    "entity-workspace": entity_workspace,
    "totp-activate": totp_activate,
    "totp-wrong-code": totp_wrong_code,
    "totp-used-code": totp_used_code,
    "signup-kept-values": signup_kept_values,
    "signup-sent": signup_sent,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_violations(page, sign_in, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, sign_in)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"{name}-{language}")
    assert not reports, "\n".join(reports)


def wcag_reports(page: Any, screenshot: Callable[[str], Any], name: str) -> list[str]:
    """The Nu HTML checker on the page's HTML; then at each viewport: save a screenshot ``<name>-<width>``,
    check reflow, run axe. The problems found."""
    reports = []
    errors = html_errors(document_source(page))
    if errors:
        reports.append(f"--- {page.url}: the Nu HTML checker ---\n" + "\n".join(errors))
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        screenshot(f"{name}-{viewport['width']}")
        # WCAG 1.4.10 Reflow: wide tables may scroll inside their own box, the page itself never sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            reports.append(f"--- {page.url} at {viewport['width']}px: the page scrolls sideways by {overflow}px ---")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            reports.append(f"--- {page.url} at {viewport['width']}px ---\n{results.generate_report()}")
    return reports
