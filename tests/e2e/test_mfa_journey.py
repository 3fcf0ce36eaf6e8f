"""MFA enforcement through the browser: staff cannot work until their authenticator is set up and used."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from tests.e2e.conftest import fresh_code, fresh_totp, submit, wrong_code
from tests.factories import PASSWORD, MembershipFactory, totp_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVATE = re.compile(r"/accounts/2fa/totp/activate/$")
AUTHENTICATE = re.compile(r"/accounts/2fa/authenticate/$")


def test_staff_without_totp_must_activate_it_before_reaching_their_workspace(page, sign_in, staff_without_totp):
    membership = staff_without_totp(Role.REGISTRY_CLERK)
    entity = membership.entity

    sign_in(membership.user.email)
    expect(page).to_have_url(ACTIVATE)
    secret_box = page.locator("#authenticator_secret")
    expect(secret_box).to_be_visible()
    expect(secret_box).to_be_disabled()

    # Nothing else opens until the authenticator is set up: not the workspace, not even public pages.
    for path in ("/workspace/", f"/workspace/{entity.code}/", "/rollout/", "/me/", "/"):
        page.goto(path)
        expect(page).to_have_url(ACTIVATE)

    secret = secret_box.input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.fill("input[name=code]", fresh_code(secret))
    submit(page)

    # allauth may show the freshly generated recovery codes next; whatever it shows, it is not the
    # activation form any more, and the portal now lets the member through to their workspace.
    expect(page).not_to_have_url(ACTIVATE)
    expect(page.locator("input[name=code]")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/workspace/{re.escape(entity.code)}/$"))
    expect(page.locator("main h1")).to_have_text(entity.name_ar)
    page.goto("/rollout/")
    expect(page).to_have_url(re.compile(r"/rollout/$"))


def test_staff_with_totp_must_enter_the_code_after_the_password(page):
    membership = MembershipFactory(role=Role.REGISTRY_CLERK)
    user, entity = membership.user, membership.entity

    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(AUTHENTICATE)
    code_box = page.locator("input[name=code]")
    expect(code_box).to_be_visible()

    # A wrong code: an error, still on the code step, and not signed in.
    code_box.fill(wrong_code(totp_secret(user)))
    submit(page)
    expect(page).to_have_url(AUTHENTICATE)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field__error")).to_be_visible()
    expect(page.locator("header form[action='/accounts/logout/']")).to_have_count(0)
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()

    # The right code signs the member in and takes them to their workspace.
    page.fill("input[name=code]", fresh_totp(user))
    submit(page)
    expect(page).to_have_url(re.compile(rf"/workspace/{re.escape(entity.code)}/$"))
    expect(page.locator("main h1")).to_have_text(entity.name_ar)
    expect(page.locator("header form[action='/accounts/logout/'] button")).to_be_visible()


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("width", [320, 360])
def test_the_whole_secret_is_visible_on_a_phone(page, sign_in, staff_without_totp, choose_language, language, width):
    """The secret box is disabled (cannot be scrolled or selected), so all of it must fit on screen."""
    choose_language(language)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(staff_without_totp().user.email)
    secret_box = page.locator("#authenticator_secret")
    expect(secret_box).to_be_visible()
    fits = secret_box.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits, f"the {len(secret_box.input_value())}-character secret is cut off at {width}px ({language})"
    page_scrolls_sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not page_scrolls_sideways
