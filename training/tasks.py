from celery import shared_task

from training.constants import REMINDER_DAYS
from training.services import reminders_send


@shared_task(acks_late=True)
def training_reminders_send() -> int:
    """Daily: remind seated trainees of sessions starting soon (each place once)."""
    return reminders_send(days=REMINDER_DAYS)
