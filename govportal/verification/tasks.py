from celery import shared_task

from govportal.verification.services import verification_counts_flush


@shared_task(acks_late=True)
def verification_counts_flush_task() -> int:
    """Every minute: move verification counts from Redis into the register (safe to repeat)."""
    return verification_counts_flush()
