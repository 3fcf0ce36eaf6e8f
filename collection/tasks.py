"""Thin Celery entry points for collection: ids in, a service call, declared retries.

Tasks are leaves: they import services; services queue them by name (``govportal.tasks.enqueue``).
Receipts' PDFs are rendered by the one PDF task, ``govportal.pdf.tasks.pdf_render``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import httpx
from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from collection.constants import Provider
from collection.providers import ProviderError, get_provider
from collection.reconciliation import (
    settlement_fetch_run,
    settlement_import,
    settlement_reconcile,  # noqa: F401 — the worker must know this task
)
from collection.services import payment_event_process as process
from collection.services import payments_expire
from govportal.api.signature import signature_header

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ProviderError,), retry_backoff=5, retry_jitter=True, max_retries=8)
def payment_event_process(event_id: int) -> str:
    """Process one stored provider event (idempotent: a processed event is skipped)."""
    return process(event_id=event_id)


@shared_task(acks_late=True)
def payments_expire_sweep() -> dict[str, int]:
    return payments_expire()


@shared_task(acks_late=True)
def refunds_pending_sync() -> dict[str, int]:
    """Every few minutes: ask the providers again about refunds they have not confirmed (idempotent)."""
    from collection.services import refunds_pending_sync as sync

    return sync()


@shared_task(acks_late=True, autoretry_for=(httpx.HTTPError,), retry_backoff=2, retry_jitter=True, max_retries=10)
def sandbox_webhook_deliver(body: dict[str, Any]) -> int:
    """The sandbox company posts one signed event to our webhook endpoint (signed at send time)."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    response = httpx.post(
        settings.PAYMENT_SANDBOX_WEBHOOK_URL,
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Signature": signature_header(raw, secret=settings.PAYMENT_SANDBOX_SECRET),
        },
        timeout=10,
    )
    response.raise_for_status()
    return response.status_code


@shared_task(acks_late=True)
def sandbox_settlement_fetch(day: str | None = None) -> str | None:
    """Nightly: fetch yesterday's sandbox settlement file and reconcile it."""
    if not settings.PAYMENT_SANDBOX:
        return None
    when = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    content = get_provider(Provider.SANDBOX).settlement_file(when)
    if content is None:  # nothing settled that day
        return None
    try:
        settlement = settlement_import(
            provider="sandbox", name=f"sandbox-{when.isoformat()}.csv", content=content, actor=None, run_now=True
        )
    except ValidationError as error:
        if getattr(error, "code", "") == "duplicate_file":  # already fetched (a retried or repeated run)
            return None
        raise
    return str(settlement.pk)


@shared_task(acks_late=True)
def settlement_fetch(fetch_id: str) -> str | None:
    """Fetch and import the settlement file a staff member asked for (idempotent: once per request)."""
    fetch = settlement_fetch_run(fetch_id=fetch_id)
    return str(fetch.status) if fetch else None
