from celery import shared_task

from datacenter.models import Certificate
from datacenter.services import certificate_render_pdf_now


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, retry_jitter=True, max_retries=5)
def certificate_render_pdf(certificate_id: str) -> None:
    """Render a certificate's PDF; exits quietly if it is already rendered or the certificate is gone."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is not None:
        certificate_render_pdf_now(certificate=certificate)
