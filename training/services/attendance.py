"""Attendance and results: the trainer's checklist, self check-in, the assessment."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.accounts.models import User
from govportal.audit.services import audit_record
from training import selectors
from training.constants import AttendanceMethod, EnrollmentStatus
from training.models import Attendance, Enrollment, Session
from training.services.certificates import certificate_issue
from training.services.common import _field_error

# --- attendance and results ---------------------------------------------------------------------------


def _require_attendance_taker(actor: User, session: Session) -> None:
    if not selectors.can_mark_attendance(actor, session):
        raise PermissionDenied


def _check_day(session: Session, day: dt.date) -> None:
    if day not in session.days:
        raise _field_error("day", _("That day is not one of the session's days."), "not_a_session_day")
    if day > timezone.localdate():
        raise _field_error("day", _("Attendance cannot be taken for a day still to come."), "future_day")


@transaction.atomic
def attendance_mark(
    *,
    session: Session,
    day: dt.date,
    present: set[int],
    actor: User,
    request: HttpRequest | None = None,
) -> int:
    """The trainer's checklist for one day: every seated trainee is marked present (ticked) or absent."""
    _require_attendance_taker(actor, session)
    _check_day(session, day)
    enrollments = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED))
    unknown = present - {e.pk for e in enrollments}
    if unknown:
        raise ValidationError(_("Only trainees with a seat can be marked present."), code="not_seated")
    now = timezone.now()
    for enrollment in enrollments:
        Attendance.objects.update_or_create(
            enrollment=enrollment,
            day=day,
            defaults={
                "present": enrollment.pk in present,
                "method": AttendanceMethod.CHECKLIST,
                "marked_by": actor,
                "marked_at": now,
            },
        )
    audit_record(
        action="training_attendance_mark",
        actor=actor,
        entity=session.programme.owner,
        target=session,
        data={"day": day.isoformat(), "present": len(present), "seated": len(enrollments)},
        request=request,
    )
    return len(enrollments)


@transaction.atomic
def attendance_self_checkin(
    *, session: Session, day: dt.date, user: User, request: HttpRequest | None = None
) -> Attendance:
    """A trainee who scanned the room's current code (already checked by the caller) is present today."""
    enrollment = Enrollment.objects.filter(
        session=session, trainee__user=user, status=EnrollmentStatus.ENROLLED
    ).first()
    if enrollment is None:
        raise ValidationError(_("You do not have a seat in this session."), code="not_seated")
    _check_day(session, day)
    attendance, _created = Attendance.objects.update_or_create(
        enrollment=enrollment,
        day=day,
        defaults={"present": True, "method": AttendanceMethod.SELF_CHECKIN, "marked_by": user},
    )
    audit_record(
        action="training_checkin",
        actor=user,
        entity=enrollment.trainee.entity,
        target=enrollment,
        data={"session": str(session.pk), "day": day.isoformat()},
        request=request,
    )
    return attendance


def attendance_share(enrollment: Enrollment) -> int:
    """Days attended out of the session's days, in whole percent."""
    days = len(enrollment.session.days)
    present = Attendance.objects.filter(enrollment=enrollment, present=True).count()
    return round(100 * present / days) if days else 0


@transaction.atomic
def enrollment_complete(
    *, enrollment: Enrollment, score: int, actor: User, request: HttpRequest | None = None
) -> Enrollment:
    """Record the assessment: with the pass mark and enough attendance the trainee completes and is
    given a signed certificate; otherwise the place ends as not passed."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("session__programme__owner", "trainee__entity")
        .get(pk=enrollment.pk)
    )
    session, programme = enrollment.session, enrollment.session.programme
    _require_attendance_taker(actor, session)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(
            _("This place is %(status)s; results are recorded for seated trainees only.")
            % {"status": enrollment.get_status_display()},
            code="wrong_state",
        )
    if timezone.localdate() < session.end_date:
        raise ValidationError(_("Results are recorded on or after the session's last day."), code="too_early")
    if not 0 <= score <= 100:
        raise _field_error("score", _("The score is a whole number from 0 to 100."), "score_range")
    attended = attendance_share(enrollment)
    passed = score >= programme.pass_mark and attended >= programme.min_attendance
    enrollment.score, enrollment.assessed_at = score, timezone.now()
    enrollment.status = EnrollmentStatus.COMPLETED if passed else EnrollmentStatus.FAILED
    enrollment.save(update_fields=["score", "assessed_at", "status"])
    audit_record(
        action="training_enrollment_complete",
        actor=actor,
        entity=programme.owner,
        target=enrollment,
        data={"score": score, "attendance": attended, "passed": passed},
        request=request,
    )
    if passed:
        certificate_issue(enrollment=enrollment, actor=actor)
    return enrollment
