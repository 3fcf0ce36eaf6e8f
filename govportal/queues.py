"""Celery's queues, and which task goes to which: payments never wait behind PDFs or imports.

Each queue has its own workers (docker-compose.yml: ``worker-payments`` and friends), so a backlog
on one cannot delay another: ten thousand certificates to render or an hour-long loan import leave
confirming a payment as fast as ever. Tasks are routed by name, so a task is placed here before it
exists in code, and renaming one means moving its line here too (a test checks that every
registered task has a line). Anything not listed goes to ``default``, which a worker also consumes.

Queue names carry ``settings.CELERY_QUEUE_PREFIX`` (empty in production): tests give each real
worker its own queues on the shared broker with it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from kombu import Exchange, Queue

PAYMENTS = "payments"  # webhooks in and out, status checks and expiry, refunds, the sandbox company's deliveries
DOCUMENTS = "documents"  # every PDF: receipts, certificates, letters, registers, statements
BULK = "bulk"  # imports, reconciliation, daily reminders and billing, the nightly audit check
DEFAULT = "default"  # e-mail and everything short not listed below

QUEUES = (PAYMENTS, DOCUMENTS, BULK, DEFAULT)

QUEUE_OF_TASK: dict[str, str] = {
    # payments: a citizen is waiting for these
    "collection.tasks.payment_event_process": PAYMENTS,
    "collection.tasks.payments_expire_sweep": PAYMENTS,
    "collection.tasks.refunds_pending_sync": PAYMENTS,
    "collection.tasks.sandbox_webhook_deliver": PAYMENTS,
    "govportal.api.tasks.notification_deliver": PAYMENTS,
    "govportal.api.tasks.notifications_due_send": PAYMENTS,
    # documents: the one PDF task, the sweep that queues renders lost on the way, old printouts
    "govportal.pdf.tasks.pdf_render": DOCUMENTS,
    "govportal.pdf.tasks.pdf_render_missing_sweep": DOCUMENTS,
    "documents.tasks.register_exports_purge_task": DOCUMENTS,
    # bulk: long, heavy, nobody waiting at a screen
    "housing_fund.tasks.loans_import_task": BULK,
    "housing_fund.tasks.installments_daily": BULK,
    "collection.reconciliation.settlement_reconcile": BULK,
    "collection.tasks.sandbox_settlement_fetch": BULK,
    "collection.tasks.settlement_fetch": BULK,
    "training.tasks.training_reminders_send": BULK,
    "govportal.audit.tasks.audit_verify_chain": BULK,
    "govportal.verification.tasks.verification_batch_run": BULK,
    # default: short and frequent
    "govportal.accounts.tasks.email_send": DEFAULT,
    "govportal.verification.tasks.verification_counts_flush_task": DEFAULT,
    "govportal.api.tasks.idempotency_keys_purge_task": DEFAULT,
}


def queue_name(queue: str, prefix: str | None = None) -> str:
    """The queue's name on the broker."""
    return (settings.CELERY_QUEUE_PREFIX if prefix is None else prefix) + queue


def declared_queues(prefix: str) -> list[Queue]:
    """The four queues, durable (they and their persistent messages survive a broker restart)."""
    return [
        Queue(name, Exchange(name, type="direct", durable=True), routing_key=name, durable=True)
        for name in (queue_name(queue, prefix) for queue in QUEUES)
    ]


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str]:
    """Celery's router (``task_routes``): the queue of a task, by its name."""
    return {"queue": queue_name(QUEUE_OF_TASK.get(name, DEFAULT))}
