"""Shared fixtures: database vendor markers, a real Celery worker, real Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, MembershipFactory, current_totp
from tests.html_checker import watch_documents
from tests.workers import Worker, queue_prefix, queues_delete, rabbitmq_configured, worker_environment

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (make test on SQLite skips it)")
    skip_redis = pytest.mark.skip(reason="needs Redis and a Celery worker: set REDIS_URL=redis://…")
    skip_rabbitmq = pytest.mark.skip(reason="needs RabbitMQ and Redis: set CELERY_BROKER_URL=amqp://… and REDIS_URL")
    skip_browser = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    skip_prodshape = pytest.mark.skip(reason="the production shape runs on its own: pytest -m prodshape (.ci/run)")
    run_prodshape = "prodshape" in (config.option.markexpr or "")
    if os.environ.get("CI", "").lower() in {"1", "true"}:
        missing = [
            why
            for why, absent in [
                ("PostgreSQL (DATABASE_URL)", not on_postgres),
                ("Redis (REDIS_URL)", not os.environ.get("REDIS_URL")),
                ("RabbitMQ (CELERY_BROKER_URL=amqp://…)", not rabbitmq_configured()),
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
        if "rabbitmq" in item.keywords and not (rabbitmq_configured() and os.environ.get("REDIS_URL")):
            item.add_marker(skip_rabbitmq)
        if "browser" in item.keywords and not os.access(CHROMIUM, os.X_OK):
            item.add_marker(skip_browser)
        if "prodshape" in item.keywords and not run_prodshape:
            item.add_marker(skip_prodshape)


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    """Tasks run in-process unless the test asks for real workers (``worker_queues``)."""
    from govportal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
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
def worker_queues(transactional_db: Any, settings: Any) -> Iterator[str]:
    """Queues of this test's own on the broker: tasks the test enqueues go there (not in-process);
    yields their prefix, for ``tests.workers.Worker``. Deleted afterwards, with what is left in them."""
    if not (os.environ.get("REDIS_URL") or rabbitmq_configured()):
        pytest.skip("needs a broker: set REDIS_URL=redis://… (and CELERY_BROKER_URL=amqp://…)")
    from govportal.celery import app

    prefix = queue_prefix()
    settings.CELERY_QUEUE_PREFIX = prefix
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield prefix
    finally:
        app.conf.task_always_eager = eager
        queues_delete(prefix)


@pytest.fixture
def celery_worker(worker_queues: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real ``celery worker`` process on the test database and the broker; yields its environment."""
    env = worker_environment(tmp_path)
    worker = Worker(env=env, prefix=worker_queues)
    try:
        worker.start()
        yield {"mail_dir": env["EMAIL_URL"].removeprefix("file://"), "prefix": worker_queues}
    finally:
        worker.stop()


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
    watch_documents(page)
    yield page
    context.close()
