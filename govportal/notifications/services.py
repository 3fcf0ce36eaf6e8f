"""In-app notifications, with an e-mail copy delivered by a Celery worker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from govportal.accounts.models import User
from govportal.notifications.models import Notification
from govportal.tasks import enqueue


def notify(
    *, users: Iterable[User], message: str, params: dict[str, Any] | None = None, url: str = "", email: bool = True
) -> int:
    """Tell ``users`` something: an in-app notification each and, optionally, an e-mail after commit.

    ``message`` is a msgid (marked with gettext_noop) with %(name)s placeholders.
    """
    recipients = [user for user in {u.pk: u for u in users}.values() if user.is_active]
    Notification.objects.bulk_create(
        [Notification(user=user, message=message, params=params or {}, url=url) for user in recipients]
    )
    if email and any(user.email for user in recipients):
        with translation.override(settings.LANGUAGE_CODE):
            text = gettext(message) % (params or {}) if params else gettext(message)
            subject = text[:120]
            body = render_to_string(
                "notifications/email.txt", {"text": text, "link": f"{settings.SITE_URL}{url}" if url else ""}
            )
        to = [user.email for user in recipients if user.email]
        enqueue(
            "govportal.accounts.tasks.email_send",
            subject=subject,
            body=body,
            html="",
            to=to,
            from_email=settings.DEFAULT_FROM_EMAIL,
        )
    return len(recipients)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())
