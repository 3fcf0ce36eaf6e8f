"""Who sees what in training, and the progress figures of the reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of, is_staff_member
from govportal.entities.models import Entity
from training.constants import SEATED, USING_QUOTA, EnrollmentStatus, NominationStatus
from training.models import (
    Attendance,
    Enrollment,
    EnrollmentQuerySet,
    Nomination,
    Programme,
    Quota,
    Session,
    SessionQuerySet,
    Trainee,
    TrainingCertificate,
)

ADMIN_ROLES = (Role.TRAINING_ADMIN,)
COORDINATOR_ROLES = (Role.TRAINING_COORDINATOR,)


def admin_entities(user: Any) -> QuerySet[Entity]:
    return entities_of(user, roles=ADMIN_ROLES)


def coordinator_entities(user: Any) -> QuerySet[Entity]:
    return entities_of(user, roles=COORDINATOR_ROLES)


def is_admin_of(user: Any, programme: Programme) -> bool:
    return admin_entities(user).filter(pk=programme.owner_id).exists()


def is_coordinator_of(user: Any, entity: Entity) -> bool:
    return coordinator_entities(user).filter(pk=entity.pk).exists()


def can_mark_attendance(user: Any, session: Session) -> bool:
    """The session's trainer and the programme's training administrators."""
    return session.trainer_id == getattr(user, "pk", None) or is_admin_of(user, session.programme)


def programmes_visible(user: Any) -> QuerySet[Programme]:
    """The catalogue is open to every staff member; inactive programmes only to their administrators."""
    if not is_staff_member(user):
        return Programme.objects.none()
    return Programme.objects.filter(Q(is_active=True) | Q(owner__in=admin_entities(user))).select_related("owner")


def sessions_visible(user: Any) -> SessionQuerySet:
    return Session.objects.filter(
        Q(programme__in=programmes_visible(user)) | Q(trainer=getattr(user, "pk", None))
    ).select_related("programme", "trainer")


def nominations_visible(user: Any) -> QuerySet[Nomination]:
    """A coordinator sees their institution's nominations; an administrator those of their programmes."""
    return Nomination.objects.filter(
        Q(entity__in=coordinator_entities(user)) | Q(session__programme__owner__in=admin_entities(user))
    ).select_related("session__programme", "trainee", "entity", "nominated_by")


def enrollments_visible(user: Any) -> EnrollmentQuerySet:
    pk = getattr(user, "pk", None)
    return Enrollment.objects.filter(
        Q(nomination__entity__in=coordinator_entities(user))
        | Q(session__programme__owner__in=admin_entities(user))
        | Q(session__trainer=pk)
        | Q(trainee__user=pk)
    ).select_related("session__programme", "trainee__entity", "nomination")


def trainees_of(user: Any) -> QuerySet[Trainee]:
    return Trainee.objects.filter(entity__in=coordinator_entities(user)).select_related("entity")


def certificates_visible(user: Any) -> QuerySet[TrainingCertificate]:
    return TrainingCertificate.objects.filter(enrollment__in=enrollments_visible(user)).select_related(
        "enrollment__session__programme", "enrollment__trainee__entity", "issuing_entity", "artifact"
    )


def quota_used(*, entity: Entity, programme: Programme) -> int:
    """Seats of ``entity``'s quota in use: pending nominations and places not cancelled."""
    pending = Nomination.objects.filter(entity=entity, session__programme=programme, status=NominationStatus.NOMINATED)
    placed = Enrollment.objects.filter(nomination__entity=entity, session__programme=programme, status__in=USING_QUOTA)
    return pending.count() + placed.count()


def waitlist_position(enrollment: Enrollment) -> int | None:
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        return None
    ahead = Enrollment.objects.filter(
        session_id=enrollment.session_id, status=EnrollmentStatus.WAITLISTED, queue_number__lt=enrollment.queue_number
    )
    return ahead.count() + 1


def seats_taken(session: Session) -> dict[str, int]:
    counts = dict(
        Enrollment.objects.filter(session=session)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    enrolled = sum(counts.get(status, 0) for status in SEATED)
    return {
        "enrolled": enrolled,
        "waitlisted": counts.get(EnrollmentStatus.WAITLISTED, 0),
        "free": max(session.capacity - enrolled, 0),
    }


# --- reports ---------------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    """One line of a progress report; ``label``/``linked``/``total``/``percent`` feed the bar chart."""

    label: str
    code: str
    quota: int = 0
    nominated: int = 0
    enrolled: int = 0
    trained: int = 0
    failed: int = 0
    days_present: int = 0
    days_recorded: int = 0

    @property
    def linked(self) -> int:
        return self.trained

    @property
    def total(self) -> int:
        return self.quota

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.trained / self.quota)) if self.quota else 0

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.days_present / self.days_recorded) if self.days_recorded else None

    @property
    def pass_rate(self) -> int | None:
        decided = self.trained + self.failed
        return round(100 * self.trained / decided) if decided else None


def _progress(
    key: str, labels: dict[Any, tuple[str, str]], programmes: QuerySet[Programme], rows_for: dict[Any, ProgressRow]
) -> list[ProgressRow]:
    """Fill ``rows_for`` (keyed by entity or programme id) from four grouped queries."""

    def row(pk: Any) -> ProgressRow:
        if pk not in rows_for:
            label, code = labels.get(pk, ("—", ""))
            rows_for[pk] = ProgressRow(label=label, code=code)
        return rows_for[pk]

    quota_key = "entity_id" if key == "entity" else "programme_id"
    for pk, seats in (
        Quota.objects.filter(programme__in=programmes)
        .values_list(quota_key)
        .annotate(n=Sum("seats"))
        .values_list(quota_key, "n")
    ):
        row(pk).quota = seats or 0
    nomination_key = "entity_id" if key == "entity" else "session__programme_id"
    for pk, count in (
        Nomination.objects.filter(session__programme__in=programmes)
        .exclude(status=NominationStatus.REJECTED)
        .values_list(nomination_key)
        .annotate(n=Count("pk"))
        .values_list(nomination_key, "n")
    ):
        row(pk).nominated = count
    enrollment_key = "nomination__entity_id" if key == "entity" else "session__programme_id"
    for pk, status, count in (
        Enrollment.objects.filter(session__programme__in=programmes)
        .values_list(enrollment_key, "status")
        .annotate(n=Count("pk"))
        .values_list(enrollment_key, "status", "n")
    ):
        if status == EnrollmentStatus.COMPLETED:
            row(pk).trained += count
        elif status == EnrollmentStatus.FAILED:
            row(pk).failed += count
        elif status == EnrollmentStatus.ENROLLED:
            row(pk).enrolled += count
    attendance_key = f"enrollment__{enrollment_key}"
    for pk, recorded, present in (
        Attendance.objects.filter(enrollment__session__programme__in=programmes)
        .values_list(attendance_key)
        .annotate(n=Count("pk"), p=Count("pk", filter=Q(present=True)))
        .values_list(attendance_key, "n", "p")
    ):
        row(pk).days_recorded, row(pk).days_present = recorded, present
    return sorted(rows_for.values(), key=lambda r: (-r.quota, r.code))


def progress_by_entity(programmes: QuerySet[Programme]) -> list[ProgressRow]:
    labels = {e.pk: (e.name, e.code) for e in Entity.objects.all()}
    return _progress("entity", labels, programmes, {})


def progress_by_programme(programmes: QuerySet[Programme]) -> list[ProgressRow]:
    labels = {p.pk: (p.title, p.code) for p in programmes}
    rows = {p.pk: ProgressRow(label=p.title, code=p.code) for p in programmes}
    return _progress("programme", labels, programmes, rows)


def progress_total(rows: list[ProgressRow]) -> ProgressRow:
    total = ProgressRow(label="", code="")
    for row in rows:
        for name in ("quota", "nominated", "enrolled", "trained", "failed", "days_present", "days_recorded"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
