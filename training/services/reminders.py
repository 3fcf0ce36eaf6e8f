"""Reminders of sessions about to start, each place reminded once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from govportal.audit.services import audit_record
from training.constants import EnrollmentStatus
from training.models import Enrollment
from training.services.common import _tell_trainee

# --- reminders ---------------------------------------------------------------------------------------------


def reminders_send(*, days: int, today: dt.date | None = None) -> int:
    """Remind seated trainees of sessions starting within ``days`` days; each place is reminded once.

    Places are claimed with ``reminder_sent_at`` under SKIP LOCKED, so two workers never remind twice.
    """
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        due = list(
            Enrollment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=EnrollmentStatus.ENROLLED,
                reminder_sent_at__isnull=True,
                session__start_date__gte=today,
                session__start_date__lte=today + dt.timedelta(days=days),
            )
            .select_related("session__programme", "trainee__user")
        )
        now = timezone.now()
        for enrollment in due:
            Enrollment.objects.filter(pk=enrollment.pk).update(reminder_sent_at=now)
            session = enrollment.session
            _tell_trainee(
                enrollment.trainee,
                gettext_noop("Reminder: %(session)s starts on %(date)s at %(time)s, %(place)s."),
                {
                    "session": session.programme.title_ar,
                    "date": session.start_date.isoformat(),
                    "time": session.start_time.strftime("%H:%M"),
                    "place": session.venue or session.online_url,
                },
                reverse("training:session_ics", args=[session.pk]),
            )
            sent += 1
        if sent:
            audit_record(action="training_reminders_send", data={"count": sent, "days": days})
    return sent
