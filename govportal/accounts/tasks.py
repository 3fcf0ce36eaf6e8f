from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, retry_jitter=True, max_retries=8)
def email_send(*, subject: str, body: str, html: str, to: list[str], from_email: str) -> None:
    """Deliver one rendered e-mail. Retries with back-off while the mail server is unreachable."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
