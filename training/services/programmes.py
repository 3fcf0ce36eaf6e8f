"""Programmes' set-up: institutions' quotas, trainees (employees) and sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from govportal.accounts.models import User
from govportal.accounts.validators import normalize_digits
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from training import selectors
from training.models import Programme, Quota, Session, Trainee
from training.services.common import _field_error, _require_admin

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
