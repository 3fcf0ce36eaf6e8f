"""Nominations: putting an employee forward within the quota, telling the administrators, rejecting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from training import selectors
from training.constants import HOLDING, EnrollmentStatus, NominationStatus, SessionState
from training.models import Enrollment, Nomination, Quota, Session, Trainee
from training.services.common import _admins, _coordinators, _field_error, _require_admin, _session_label, locked_error

# --- nominations -------------------------------------------------------------------------------------


def _check_window(session: Session, *, is_admin: bool) -> None:
    """Coordinators nominate while nominations are open (``Session.state``); administrators any time
    before the end."""
    state = session.state
    if state == SessionState.FINISHED:
        raise ValidationError(_("This session is over."), code="session_over")
    if is_admin or state == SessionState.OPEN:
        return
    if state == SessionState.UPCOMING:
        raise ValidationError(
            _("Nominations for this session open on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(session.enrollment_opens_at), "DATETIME_FORMAT")},
            code="window_not_open",
        )
    if state == SessionState.CLOSED:
        raise ValidationError(_("Nominations for this session are closed."), code="window_closed")
    raise locked_error(session)


def _check_overlap(trainee: Trainee, session: Session) -> None:
    clash = (
        Enrollment.objects.filter(trainee=trainee, status__in=HOLDING, session__in=Session.objects.overlapping(session))
        .select_related("session__programme")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(name)s already has a place in an overlapping session: %(session)s.")
            % {"name": trainee.full_name, "session": f"{clash.session.programme.title} {clash.session.start_date}"},
            code="overlap",
        )


@transaction.atomic
def nomination_create(
    *,
    session: Session,
    trainee: Trainee,
    actor: User,
    request: HttpRequest | None = None,
) -> Nomination:
    """Put an employee forward for a session, within their institution's quota for the programme."""
    entity, programme = trainee.entity, session.programme
    is_admin = selectors.is_admin_of(actor, programme)
    if not (is_admin or selectors.is_coordinator_of(actor, entity)):
        raise PermissionDenied
    if not programme.is_active:
        raise ValidationError(_("This programme is not open for nominations."), code="programme_closed")
    _check_window(session, is_admin=is_admin)
    quota = Quota.objects.select_for_update().filter(entity=entity, programme=programme).first()
    if quota is None or quota.seats == 0:
        raise ValidationError(
            _("%(entity)s has no seats in this programme.") % {"entity": entity.name}, code="no_quota"
        )
    already = Nomination.objects.filter(session=session, trainee=trainee, status=NominationStatus.NOMINATED).exists()
    if (
        already
        or Enrollment.objects.filter(session=session, trainee=trainee)
        .exclude(status=EnrollmentStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s is already nominated for this session.") % {"name": trainee.full_name}, code="duplicate"
        )
    _check_overlap(trainee, session)
    used = selectors.quota_used(entity=entity, programme=programme)
    if used >= quota.seats:
        raise ValidationError(
            _("The quota of %(entity)s for this programme is %(seats)d seats, and all are in use.")
            % {"entity": entity.name, "seats": quota.seats},
            code="quota_exceeded",
        )
    nomination = Nomination.objects.create(session=session, trainee=trainee, entity=entity, nominated_by=actor)
    audit_record(
        action="training_nominate",
        actor=actor,
        entity=entity,
        target=nomination,
        data={"session": str(session.pk), "trainee": trainee.pk},
        request=request,
    )
    return nomination


def nominations_notify_admins(*, session: Session, entity: Entity, count: int) -> None:
    """One notification for a batch of nominations (a form, or a whole imported file)."""
    notify(
        users=_admins(session.programme),
        message=gettext_noop("Nominations from %(entity)s for %(session)s: %(count)s."),
        params={"entity": entity.name_ar, "count": count, "session": _session_label(session)},
        url=reverse("training:nominations"),
        email=False,
    )


def _locked_nomination(nomination: Nomination) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("trainee", "entity", "session__programme")
        .get(pk=nomination.pk)
    )
    if nomination.status != NominationStatus.NOMINATED:
        raise ValidationError(
            _("This nomination is already %(status)s.") % {"status": nomination.get_status_display()},
            code="wrong_state",
        )
    return nomination


@transaction.atomic
def nomination_reject(
    *, nomination: Nomination, reason: str, actor: User, request: HttpRequest | None = None
) -> Nomination:
    _require_admin(actor, nomination.session.programme)
    if not reason.strip():
        raise _field_error("reason", _("Give the reason, so that the coordinator knows."), "reason_required")
    nomination = _locked_nomination(nomination)
    nomination.status, nomination.reason = NominationStatus.REJECTED, reason.strip()
    nomination.decided_by, nomination.decided_at = actor, timezone.now()
    nomination.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(
        action="training_nomination_reject",
        actor=actor,
        entity=nomination.session.programme.owner,
        target=nomination,
        data={"reason": nomination.reason},
        request=request,
    )
    notify(
        users=_coordinators(nomination.entity),
        message=gettext_noop("The nomination of %(name)s for %(session)s was not accepted: %(reason)s"),
        params={"name": nomination.trainee.full_name, "session": _session_label(nomination.session), "reason": reason},
        url=reverse("training:nominations"),
    )
    return nomination
