"""Fixtures shared by the browser tests (``browser`` and ``page`` live in tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings

from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from govportal.accounts.services import membership_grant
from tests.factories import PASSWORD, EntityFactory, UserFactory, totp_secret

SCREENS = Path(settings.BASE_DIR) / "test-results" / "screens"


@pytest.fixture
def staff_without_totp(transactional_db: Any) -> Callable[..., Membership]:
    """A factory: a staff member who has never set up an authenticator (a membership, no TOTP)."""

    def make(role: Role = Role.REGISTRY_CLERK) -> Membership:
        return membership_grant(user=UserFactory(), entity=EntityFactory(), role=role)

    return make


@pytest.fixture
def choose_language(page: Any, live_server: Any) -> Callable[[str], None]:
    """Choose the language as the header switch does: with the ``govportal_language`` cookie."""

    def choose(language: str) -> None:
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])

    return choose


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], Path]:
    """Save a full-page screenshot under test-results/screens/ (gitignored) for people to look at."""

    def save(name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def fresh_code(secret: str) -> str:
    """The current TOTP code, waiting for the next one when this one has under 5 s left.

    The test then does not depend on how many neighbouring 30-second windows the portal
    tolerates (MFA_TOTP_TOLERANCE).
    """
    totp = pyotp.TOTP(secret)
    remaining = totp.interval - time.time() % totp.interval
    if remaining < 5:
        time.sleep(remaining + 0.1)
    return totp.now()


def fresh_totp(user: Any) -> str:
    """``fresh_code`` for a user whose authenticator is already active."""
    return fresh_code(totp_secret(user))


def wrong_code(secret: str) -> str:
    """Six digits that are not valid in the previous, current or next 30-second window."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + step * totp.interval) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


SUBMIT = "main form button[type=submit]:not([form])"


def submit(page: Any) -> None:
    """Press the form's own submit button (the MFA step also has a Cancel button bound to another form)."""
    page.locator(SUBMIT).click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in(page: Any) -> Callable[..., None]:
    """Sign in through the real pages: e-mail and password, then the TOTP code when one is given."""

    def sign_in(email: str, password: str = PASSWORD, totp: str | None = None) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        submit(page)
        if totp is not None:
            page.fill("input[name=code]", totp)
            submit(page)

    return sign_in
