"""What the training services share: field errors, who may, and telling coordinators and trainees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govportal.accounts.models import User
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.tasks import enqueue
from training import selectors
from training.models import Programme, Session, Trainee


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """An error shown beside ``field`` that keeps its ``code`` (for views and tests alike)."""
    return ValidationError({field: ValidationError(message, code=code)})


def locked_error(session: Session) -> ValidationError:
    """Why a coordinator can no longer nominate or cancel: the session's lock (code ``session_locked``)."""
    return ValidationError(
        ngettext(
            "This session is locked %(days)d day before it starts; ask the training administrators.",
            "This session is locked %(days)d days before it starts; ask the training administrators.",
            session.lock_days,
        )
        % {"days": session.lock_days},
        code="session_locked",
    )


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
    enqueue(
        "govportal.accounts.tasks.email_send",
        subject=text[:120],
        body=body,
        html="",
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def _session_label(session: Session) -> str:
    return f"{session.programme.title_ar} ({session.start_date:%Y-%m-%d})"
