"""Shared fixtures: database vendor markers, a real Celery worker, real Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import PASSWORD, MembershipFactory, current_totp
from tests.helpers import database_url

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (make test on SQLite skips it)")
    skip_redis = pytest.mark.skip(reason="needs Redis and a Celery worker: set REDIS_URL=redis://…")
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    if os.environ.get("CI", "").lower() in {"1", "true"}:
        missing = [
            why
            for why, absent in [
                ("PostgreSQL (DATABASE_URL)", not on_postgres),
                ("Redis (REDIS_URL)", not os.environ.get("REDIS_URL")),
                (f"Chromium at {CHROMIUM}", not os.access(CHROMIUM, os.X_OK)),
            ]
            if absent
        ]
        if missing:
            raise pytest.UsageError("CI must run every test, but these are missing: " + ", ".join(missing))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)
        if "browser" in item.keywords and not os.access(CHROMIUM, os.X_OK):
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in-process unless the test asks for the real worker."""
    from govportal.celery import app

    eager = "celery_worker" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager or previous
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in Arabic, the default: a request through LocaleMiddleware leaves the
    language it chose active in the thread, and a later test would inherit it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """Accounts are made by the hundred in tests; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.core.cache import cache

    from govportal.redis import redis_client
    from govportal.web import health

    cache.clear()
    health._memo = None  # each test sees its own dependencies' health
    connection = redis_client()
    if connection is not None:  # counters and rate limits kept outside the cache
        stale = [*connection.scan_iter("ratelimit:*"), *connection.scan_iter("verification:*")]
        if stale:
            connection.delete(*stale)
    yield


# --- people --------------------------------------------------------------------------------


def login_staff(client: Client, membership: Any) -> Client:
    """Sign a staff member in through the real forms: password, then the TOTP code."""
    user = membership.user
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp(user)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def staff_client(db: Any) -> Any:
    """A factory: ``staff_client(membership)`` → a Client signed in as that member."""

    def make(membership: Any = None) -> Client:
        return login_staff(Client(), membership or MembershipFactory())

    return make


# --- a real Celery worker ---------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real ``celery worker`` process on the test database and Redis; yields its environment."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL")
    db = connection.settings_dict
    env = dict(os.environ)
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = database_url()
    else:
        env.pop("DATABASE_URL", None)
        env["GOVPORTAL_VAR_DIR"] = str(Path(db["NAME"]).parent) if db["NAME"] else str(tmp_path)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env["EMAIL_URL"] = f"file://{mail_dir}"
    env["DJANGO_DEBUG"] = "1"
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    queue = f"test-{os.getpid()}"
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue  # tasks the worker itself enqueues come back to it
    process = subprocess.Popen(
        [celery, "-A", "govportal", "worker", "--pool=solo", "--loglevel=warning", "-Q", queue, "-n", f"{queue}@%h"],
        cwd=ROOT,
        env=env,
    )
    from govportal.celery import app

    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
                break
            if process.poll() is not None:
                pytest.fail("the Celery worker exited at start-up")
        else:
            pytest.fail("the Celery worker did not answer within 30 s")
        yield {"mail_dir": str(mail_dir), "queue": queue}
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        process.wait(timeout=20)


# --- real Chromium --------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
