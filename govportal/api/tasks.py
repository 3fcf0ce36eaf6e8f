"""Thin Celery entry points of the API core (payments queue): posting notifications to clients."""

from __future__ import annotations

from celery import shared_task

from govportal.api import notifications
from govportal.api.idempotency import idempotency_keys_purge


@shared_task(acks_late=True)
def notification_deliver(delivery_id: str) -> str:
    """One attempt at a delivery (idempotent: one delivered, given up or not yet due is skipped).
    A failure is not raised: the delivery records it and the next attempt's time, and
    ``notifications_due_send`` queues it again then."""
    return notifications.notification_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def notifications_due_send() -> int:
    """Every minute: queue the deliveries whose next attempt is due."""
    return notifications.notifications_due_send()


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    """Hourly: forget Idempotency-Keys older than 24 hours (safe to repeat)."""
    return idempotency_keys_purge()
