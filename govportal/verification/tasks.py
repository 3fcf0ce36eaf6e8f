from celery import shared_task

from govportal.verification.batches import batch_run
from govportal.verification.services import verification_counts_flush


@shared_task(acks_late=True)
def verification_counts_flush_task() -> int:
    """Every minute: move verification counts from Redis into the register (safe to repeat)."""
    return verification_counts_flush()


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def verification_batch_run(batch_id: str) -> str | None:
    """Check one auditor's file of serials and dates (idempotent: a finished file is left alone)."""
    batch = batch_run(batch_id)
    return None if batch is None else str(batch.status)
