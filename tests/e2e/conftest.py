"""Fixtures shared by the browser tests (``browser`` and ``page`` live in tests/conftest.py)."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from govportal.accounts.services import membership_grant
from tests.conftest import login_staff
from tests.factories import PASSWORD, EntityFactory, UserFactory, totp_secret
from tests.html_checker import watch_documents

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


SUBMIT = "main form:not(.national-signin) button[type=submit]:not([form])"  # not the national sign-in buttons


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


# --- shared by the journeys and the accessibility checks --------------------------------------


def arabic(msgid: str) -> str:
    with translation.override("ar"):
        return gettext(msgid)


def arabic_label(choice: Any) -> str:
    """A choice's label as an Arabic page shows it (labels with a context are not plain msgids)."""
    with translation.override("ar"):
        return str(choice.label)


@pytest.fixture
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Stored files (scans, attachments, PDFs) go to a temporary folder, not var/files."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A factory of further browser contexts (other people, other cookies), closed at the end."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch_documents(page)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in_as(page: Any, user: Any) -> None:
    """E-mail and password, then the authenticator code, through the real pages."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    page.fill("input[name=code]", fresh_totp(user))
    submit(page)
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


def status_of(page: Any, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


@pytest.fixture
def enter_as(page: Any, live_server: Any) -> Callable[[Any], None]:
    """Sign in through the real forms, then hand the browser that session: a membership's user with
    password and TOTP, a citizen (a user) with e-mail and password."""

    def enter(who: Any) -> None:
        if isinstance(who, Membership):
            client = login_staff(Client(), who)
        else:
            client = Client()
            response = client.post("/accounts/login/", {"login": who.email, "password": PASSWORD})
            assert response.status_code == 302, response.content[:500]
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return enter


# pdftotext marks direction with embedding controls; a reader does not see them.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SANDBOX_SECRET = "e2e-sandbox-secret-0123456789"


def tool(name: str) -> str:
    """A command-line tool the journeys use on PDFs (pdftotext, pdftoppm, zbarimg)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils zbar-tools)")
    return path


@pytest.fixture
def sandbox(settings: Any, live_server: Any) -> None:
    """The sandbox company posts its webhooks to this live server, at once and only once; the QR codes
    of receipts and statements open this live server."""
    settings.SITE_URL = live_server.url
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.PAYMENT_SANDBOX_SECRET = SANDBOX_SECRET
    settings.PAYMENT_SANDBOX_DUPLICATE_PERCENT = 0
    settings.PAYMENT_SANDBOX_MAX_DELAY = 0
    settings.PAYMENT_SANDBOX_WEBHOOK_URL = f"{live_server.url}/collection/webhooks/sandbox/"


# --- how to reach each page; each leaves the page showing what is to be checked ---------------------
