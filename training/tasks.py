from celery import shared_task

from training.constants import REMINDER_DAYS
from training.models import TrainingCertificate
from training.services import certificate_render_pdf_now, reminders_send


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, retry_jitter=True, max_retries=5)
def training_certificate_render_pdf(certificate_id: str) -> None:
    """Render a training certificate's PDF; exits quietly if already rendered or gone."""
    certificate = TrainingCertificate.objects.filter(pk=certificate_id).first()
    if certificate is not None:
        certificate_render_pdf_now(certificate=certificate)


@shared_task(acks_late=True)
def training_reminders_send() -> int:
    """Daily: remind seated trainees of sessions starting soon (each place once)."""
    return reminders_send(days=REMINDER_DAYS)
