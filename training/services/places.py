"""Places: approving a nomination into a seat or onto the waiting list, cancelling, promoting the next."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.notifications.services import notify
from training import selectors
from training.constants import HOLDING, EnrollmentStatus, NominationStatus
from training.models import Enrollment, Nomination, Session, Trainee
from training.services.common import _coordinators, _require_admin, _session_label, _tell_trainee, locked_error
from training.services.nominations import _check_overlap, _locked_nomination


def _lock_session(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("programme").get(pk=session.pk)


@transaction.atomic
def nomination_approve(*, nomination: Nomination, actor: User, request: HttpRequest | None = None) -> Enrollment:
    """Accept a nomination: a seat while there is one, else the end of the waiting list.

    The session row is locked while its seats are counted and the next place number taken, so
    concurrent approvals never overfill it and the waiting list keeps the order of arrival. The
    checks that need no seat count (the nomination's state, the trainee's other places, under the
    trainee's row lock) run before that lock, so approvals queue on the session for as short a time
    as they can.
    """
    _require_admin(actor, nomination.session.programme)
    nomination = _locked_nomination(nomination)
    if timezone.now() >= nomination.session.ends_at:
        raise ValidationError(_("This session is over."), code="session_over")
    trainee = Trainee.objects.select_for_update().get(pk=nomination.trainee_id)
    _check_overlap(trainee, nomination.session)
    coordinators = _coordinators(nomination.entity)
    session = _lock_session(nomination.session)
    seated = Enrollment.objects.filter(
        session=session, status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.FAILED]
    ).count()
    now = timezone.now()
    session.next_queue_number += 1
    Session.objects.filter(pk=session.pk).update(next_queue_number=session.next_queue_number)
    has_seat = seated < session.capacity
    enrollment = Enrollment.objects.create(
        nomination=nomination,
        session=session,
        trainee=trainee,
        status=EnrollmentStatus.ENROLLED if has_seat else EnrollmentStatus.WAITLISTED,
        queue_number=session.next_queue_number,
        created_at=now,
        enrolled_at=now if has_seat else None,
    )
    nomination.status, nomination.decided_by, nomination.decided_at = NominationStatus.APPROVED, actor, now
    nomination.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="training_nomination_approve",
        actor=actor,
        entity=session.programme.owner,
        target=nomination,
        data={"enrollment": enrollment.pk, "status": enrollment.status, "queue_number": enrollment.queue_number},
        request=request,
    )
    params = {"name": trainee.full_name, "session": _session_label(session)}
    message = (
        gettext_noop("%(name)s has a seat in %(session)s.")
        if has_seat
        else gettext_noop("%(name)s is on the waiting list of %(session)s (the session is full).")
    )
    url = reverse("training:session_detail", args=[session.pk])
    notify(users=coordinators, message=message, params=params, url=url, email=False)
    _tell_trainee(trainee, message, params, url)
    return enrollment


# --- places: cancelling and the waiting list ----------------------------------------------------------


@transaction.atomic
def enrollment_cancel(
    *, enrollment: Enrollment, reason: str, actor: User, request: HttpRequest | None = None
) -> Enrollment | None:
    """Give up a place; a freed seat goes at once to the first on the waiting list (returned, and told)."""
    session = _lock_session(enrollment.session)
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("nomination__entity", "trainee")
        .get(pk=enrollment.pk)
    )
    is_admin = selectors.is_admin_of(actor, session.programme)
    if not (is_admin or selectors.is_coordinator_of(actor, enrollment.nomination.entity)):
        raise PermissionDenied
    if enrollment.status not in HOLDING:
        raise ValidationError(
            _("This place is %(status)s; it cannot be cancelled.") % {"status": enrollment.get_status_display()},
            code="wrong_state",
        )
    if not is_admin and session.is_locked:
        raise locked_error(session)
    had_seat = enrollment.status == EnrollmentStatus.ENROLLED
    enrollment.status, enrollment.cancelled_at, enrollment.cancelled_by = (
        EnrollmentStatus.CANCELLED,
        timezone.now(),
        actor,
    )
    enrollment.cancel_reason = reason.strip()
    enrollment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(
        action="training_enrollment_cancel",
        actor=actor,
        entity=enrollment.nomination.entity,
        target=enrollment,
        data={"session": str(session.pk), "had_seat": had_seat, "reason": enrollment.cancel_reason},
        request=request,
    )
    return _promote_first_waiting(session, actor=actor) if had_seat else None


def _promote_first_waiting(session: Session, *, actor: User | None) -> Enrollment | None:
    """The first on the waiting list (lowest place number) takes the free seat. Session row locked by caller."""
    if timezone.now() >= session.ends_at:
        return None
    waiting = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("trainee", "nomination__entity")
        .filter(session=session, status=EnrollmentStatus.WAITLISTED)
        .order_by("queue_number")
        .first()
    )
    if waiting is None:
        return None
    waiting.status, waiting.enrolled_at = EnrollmentStatus.ENROLLED, timezone.now()
    waiting.save(update_fields=["status", "enrolled_at"])
    audit_record(
        action="training_waitlist_promote",
        actor=actor,
        entity=waiting.nomination.entity,
        target=waiting,
        data={"session": str(session.pk), "queue_number": waiting.queue_number},
    )
    params = {"name": waiting.trainee.full_name, "session": _session_label(session)}
    message = gettext_noop("A seat became free: %(name)s now has a seat in %(session)s.")
    url = reverse("training:session_detail", args=[session.pk])
    notify(users=_coordinators(waiting.nomination.entity), message=message, params=params, url=url)
    _tell_trainee(waiting.trainee, message, params, url)
    return waiting
