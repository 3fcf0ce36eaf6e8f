"""Writes of the training app: nominations, places (seats and the waiting list), attendance, results.

Row locks are taken in one order per kind of row — a nomination before its trainee before the
session; a session before its places — and no write takes them the other way round, so concurrent
requests queue instead of deadlocking.

The package: ``common`` (field errors, who may, telling coordinators and trainees), ``programmes``
(quotas, trainees, sessions), ``nominations``, ``places`` (approval, cancelling, the waiting list),
``attendance`` (attendance and the assessment), ``certificates``, ``reminders``.
"""

from training.services.attendance import (
    attendance_mark,
    attendance_self_checkin,
    attendance_share,
    enrollment_complete,
)
from training.services.certificates import (
    certificate_content,
    certificate_display,
    certificate_holder,
    certificate_issue,
    certificate_pdf_context,
)
from training.services.nominations import nomination_create, nomination_reject, nominations_notify_admins
from training.services.places import enrollment_cancel, nomination_approve
from training.services.programmes import SessionDetails, TraineeDetails, quota_set, session_create, trainee_upsert
from training.services.reminders import reminders_send

__all__ = [
    "SessionDetails",
    "TraineeDetails",
    "attendance_mark",
    "attendance_self_checkin",
    "attendance_share",
    "certificate_content",
    "certificate_display",
    "certificate_holder",
    "certificate_issue",
    "certificate_pdf_context",
    "enrollment_cancel",
    "enrollment_complete",
    "nomination_approve",
    "nomination_create",
    "nomination_reject",
    "nominations_notify_admins",
    "quota_set",
    "reminders_send",
    "session_create",
    "trainee_upsert",
]
