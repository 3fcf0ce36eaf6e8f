from celery import shared_task

from govportal.api.idempotency import idempotency_keys_purge


@shared_task(acks_late=True)
def idempotency_keys_purge_task() -> int:
    """Hourly: forget Idempotency-Keys older than 24 hours (safe to repeat)."""
    return idempotency_keys_purge()
