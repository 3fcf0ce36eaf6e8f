"""Writes of the training app: nominations, places (seats and the waiting list), attendance, results.

Row locks are taken in one order per kind of row — a nomination before its trainee before the
session; a session before its places — and no write takes them the other way round, so concurrent
requests queue instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.accounts.models import User
from govportal.accounts.tasks import email_send
from govportal.accounts.validators import normalize_digits
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf import render_to_pdf
from govportal.pdf.storage import store_pdf
from govportal.verification.constants import ArtifactKind
from govportal.verification.models import Artifact
from govportal.verification.services import Signer, mask_id, mask_name, verify_url
from training import selectors
from training.constants import CERTIFICATE_REGISTER, HOLDING, AttendanceMethod, EnrollmentStatus, NominationStatus
from training.models import (
    Attendance,
    Enrollment,
    Nomination,
    Programme,
    Quota,
    Session,
    Trainee,
    TrainingCertificate,
)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """An error shown beside ``field`` that keeps its ``code`` (for views and tests alike)."""
    return ValidationError({field: ValidationError(message, code=code)})


# --- who may ---------------------------------------------------------------------------------------


def _require_admin(actor: User, programme: Programme) -> None:
    if not selectors.is_admin_of(actor, programme):
        raise PermissionDenied


def _members(entity: Entity, role: str) -> list[User]:
    return list(User.objects.filter(memberships__entity=entity, memberships__role=role, is_active=True).distinct())


def _admins(programme: Programme) -> list[User]:
    return _members(programme.owner, selectors.ADMIN_ROLES[0])


def _coordinators(entity: Entity) -> list[User]:
    return _members(entity, selectors.COORDINATOR_ROLES[0])


def _tell_trainee(trainee: Trainee, message: str, params: dict[str, Any], url: str = "") -> None:
    """A notification when the trainee has an account, else an e-mail when they have an address."""
    if trainee.user_id is not None:
        notify(users=[trainee.user], message=message, params=params, url=url)  # type: ignore[list-item]
        return
    if not trainee.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message) % params
        body = render_to_string(
            "notifications/email.txt", {"text": text, "link": f"{settings.SITE_URL}{url}" if url else ""}
        )
    to = [trainee.email]
    transaction.on_commit(
        lambda: email_send.delay(subject=text[:120], body=body, html="", to=to, from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _session_label(session: Session) -> str:
    return f"{session.programme.title_ar} ({session.start_date:%Y-%m-%d})"


# --- programmes, sessions, quotas ---------------------------------------------------------------------


@dataclass(frozen=True)
class TraineeDetails:
    full_name: str
    national_id: str
    job_title: str
    email: str = ""
    phone: str = ""


@transaction.atomic
def quota_set(
    *, programme: Programme, entity: Entity, seats: int, actor: User, request: HttpRequest | None = None
) -> Quota:
    """Give ``entity`` ``seats`` places in ``programme``; never fewer than it already uses."""
    _require_admin(actor, programme)
    quota, _created = Quota.objects.get_or_create(programme=programme, entity=entity, defaults={"seats": 0})
    quota = Quota.objects.select_for_update().get(pk=quota.pk)
    used = selectors.quota_used(entity=entity, programme=programme)
    if seats < used:
        raise _field_error(
            "seats",
            _("%(entity)s already uses %(used)d seats of this programme; the quota cannot be lower.")
            % {"entity": entity.name, "used": used},
            "quota_below_use",
        )
    previous, quota.seats = quota.seats, seats
    quota.save(update_fields=["seats", "updated_at"])
    audit_record(
        action="training_quota_set",
        actor=actor,
        entity=programme.owner,
        target=quota,
        data={"programme": programme.code, "institution": entity.code, "seats": seats, "previous": previous},
        request=request,
    )
    return quota


@transaction.atomic
def trainee_upsert(*, entity: Entity, details: TraineeDetails) -> Trainee:
    """The employee with this national ID, created or brought up to date; they belong to one institution."""
    national_id = normalize_digits(details.national_id)
    trainee = Trainee.objects.select_for_update().filter(national_id=national_id).first()
    if trainee is not None and trainee.entity_id != entity.pk:
        raise _field_error(
            "national_id", _("This employee is registered with another institution."), "other_institution"
        )
    trainee = trainee or Trainee(national_id=national_id, entity=entity)
    trainee.full_name = " ".join(details.full_name.split())
    trainee.job_title = details.job_title.strip()
    trainee.email = details.email.strip().lower()
    trainee.phone = normalize_digits(details.phone)
    if trainee.email and trainee.user_id is None:
        account = User.objects.filter(email__iexact=trainee.email, trainee__isnull=True).first()
        trainee.user = account
    trainee.full_clean(validate_unique=False, validate_constraints=False)
    trainee.save()
    return trainee


# --- nominations -------------------------------------------------------------------------------------


def _check_window(session: Session, *, is_admin: bool) -> None:
    """Coordinators nominate inside the window and before the lock; administrators any time before the end."""
    now = timezone.now()
    if now >= session.ends_at:
        raise ValidationError(_("This session is over."), code="session_over")
    if is_admin:
        return
    if now < session.enrollment_opens_at:
        raise ValidationError(
            _("Nominations for this session open on %(date)s.")
            % {"date": timezone.localtime(session.enrollment_opens_at).strftime("%Y-%m-%d %H:%M")},
            code="window_not_open",
        )
    if now >= session.enrollment_closes_at:
        raise ValidationError(_("Nominations for this session are closed."), code="window_closed")
    if session.is_locked:
        raise ValidationError(
            _("This session is locked %(days)d days before it starts; ask the training administrators.")
            % {"days": session.lock_days},
            code="session_locked",
        )


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
        message=gettext_noop("%(entity)s nominated %(count)s employee(s) for %(session)s."),
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
        raise ValidationError(
            _("This session is locked %(days)d days before it starts; ask the training administrators.")
            % {"days": session.lock_days},
            code="session_locked",
        )
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


# --- certificates --------------------------------------------------------------------------------------


def certificate_content(certificate: TrainingCertificate) -> bytes:
    """The canonical bytes the signature's digest covers: every fact the certificate states."""
    enrollment = certificate.enrollment
    session, trainee = enrollment.session, enrollment.trainee
    facts = {
        "serial": certificate.serial,
        "issuer": certificate.issuing_entity.code,
        "programme": session.programme.code,
        "hours": session.programme.hours,
        "from": session.start_date.isoformat(),
        "to": session.end_date.isoformat(),
        "trainee_name": trainee.full_name,
        "trainee_national_id": trainee.national_id,
        "institution": trainee.entity.code,
        "score": enrollment.score,
        "issued_at": certificate.issued_at.isoformat(),
    }
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def certificate_display(certificate: TrainingCertificate) -> list[tuple[str, str]]:
    """What the public verify page shows: labels are msgids, personal data masked."""
    enrollment = certificate.enrollment
    session, trainee = enrollment.session, enrollment.trainee
    return [
        (gettext_noop("Programme"), f"{session.programme.title_ar} — {session.programme.title_en}"),
        (gettext_noop("Hours"), str(session.programme.hours)),
        (gettext_noop("Dates"), f"{session.start_date.isoformat()} – {session.end_date.isoformat()}"),
        (gettext_noop("Trainee"), mask_name(trainee.full_name)),
        (gettext_noop("National ID number"), mask_id(trainee.national_id)),
        (gettext_noop("Institution"), f"{trainee.entity.name_ar} ({trainee.entity.code})"),
    ]


def certificate_issue(*, enrollment: Enrollment, actor: User) -> TrainingCertificate:
    """Sign a certificate for a completed place: serial gapless per (organising entity, year)."""
    owner = enrollment.session.programme.owner
    now = timezone.now()
    number = counter_next(entity=owner, register=CERTIFICATE_REGISTER, year=now.year)
    certificate = TrainingCertificate(
        serial=f"{owner.code}-TR-{now.year}-{number:06d}",
        enrollment=enrollment,
        issuing_entity=owner,
        issued_at=now,
        issued_by=actor,
    )
    artifact: Artifact = Signer(owner).artifact(
        kind=ArtifactKind.TRAINING_CERTIFICATE,
        serial=certificate.serial,
        issued_at=now,
        content=certificate_content(certificate),
        display=certificate_display(certificate),
    )
    artifact.save(force_insert=True)
    certificate.artifact = artifact
    certificate.save(force_insert=True)
    audit_record(
        action="training_certificate_issue",
        actor=actor,
        entity=owner,
        target=certificate,
        data={"enrollment": enrollment.pk, "serial": certificate.serial},
    )
    from training.tasks import training_certificate_render_pdf

    transaction.on_commit(lambda: training_certificate_render_pdf.delay(str(certificate.pk)))
    params = {"name": enrollment.trainee.full_name, "serial": certificate.serial}
    url = reverse("training:certificate_detail", args=[certificate.pk])
    message = gettext_noop("%(name)s completed the training: certificate %(serial)s.")
    notify(users=_coordinators(enrollment.trainee.entity), message=message, params=params, url=url, email=False)
    _tell_trainee(enrollment.trainee, message, params, url)
    return certificate


def certificate_pdf_context(certificate: TrainingCertificate) -> dict[str, Any]:
    enrollment = certificate.enrollment
    return {
        "certificate": certificate,
        "enrollment": enrollment,
        "session": enrollment.session,
        "programme": enrollment.session.programme,
        "trainee": enrollment.trainee,
        "entity": certificate.issuing_entity,
        "dates": f"{enrollment.session.start_date:%Y-%m-%d} – {enrollment.session.end_date:%Y-%m-%d}",
        "score": f"{enrollment.score} / 100",
        "verify_url": verify_url(certificate.artifact),
        "serial": certificate.serial,
        "issued_at": certificate.issued_at,
        "site_url": settings.SITE_URL,
    }


def certificate_render_pdf_now(*, certificate: TrainingCertificate) -> TrainingCertificate:
    """Render and store the PDF unless it already exists (safe to repeat)."""
    certificate = TrainingCertificate.objects.select_related(
        "issuing_entity__parent", "artifact", "enrollment__session__programme", "enrollment__trainee__entity"
    ).get(pk=certificate.pk)
    if certificate.pdf:
        return certificate
    with translation.override(settings.LANGUAGE_CODE):  # the official copy is Arabic, whoever triggers it
        content = render_to_pdf("training/certificate_pdf.html", certificate_pdf_context(certificate))
    store_pdf(field_file=certificate.pdf, name=f"{certificate.serial}.pdf", content=content)
    return certificate


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


@dataclass(frozen=True)
class SessionDetails:
    start_date: dt.date
    end_date: dt.date
    start_time: dt.time
    end_time: dt.time
    venue: str
    online_url: str
    capacity: int
    enrollment_opens_at: dt.datetime
    enrollment_closes_at: dt.datetime
    lock_days: int = 3


@transaction.atomic
def session_create(
    *,
    programme: Programme,
    trainer: User,
    details: SessionDetails,
    actor: User,
    request: HttpRequest | None = None,
) -> Session:
    """Schedule a workshop of ``programme``; the trainer must be a staff member."""
    _require_admin(actor, programme)
    if not trainer.memberships.exists():
        raise _field_error("trainer", _("The trainer must be a staff member of an entity."), "not_staff")
    session = Session(programme=programme, trainer=trainer, **details.__dict__)
    session.full_clean()
    session.save(force_insert=True)
    audit_record(
        action="training_session_create",
        actor=actor,
        entity=programme.owner,
        target=session,
        data={"programme": programme.code, "start": details.start_date.isoformat(), "capacity": details.capacity},
        request=request,
    )
    return session
