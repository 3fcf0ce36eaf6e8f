"""How feeds name the core's own targets (entities, people, roles, phases, keys, documents) in the
reader's language: registered by the audit app, as each domain app registers its own."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import pgettext

from govportal.accounts.constants import Role
from govportal.accounts.models import Membership, User
from govportal.accounts.selectors import entities_of
from govportal.audit.labels import Target, model_targets, person_name, register_target
from govportal.audit.models import AuditEvent
from govportal.entities.models import Entity, RolloutPhase


def _with_role(name: str, role: str) -> str:
    return pgettext("person with role", "%(name)s (%(role)s)") % {"name": name, "role": role}


def _role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def memberships(reader: Any, events: list[AuditEvent]) -> dict[int, Target]:
    """A role granted or withdrawn: the person's name and the role. A withdrawn membership is gone,
    so its person is found again by the e-mail its event recorded (and named, never shown by it)."""
    current = {
        str(m.pk): m for m in Membership.objects.filter(pk__in={e.target_id for e in events}).select_related("user")
    }
    emails = {e.data.get("user", "") for e in events if e.target_id not in current}
    people = {(u.email or "").lower(): u for u in User.objects.filter(email__in=[mail for mail in emails if mail])}
    targets = {}
    for event in events:
        membership = current.get(event.target_id)
        if membership is not None:
            targets[event.id] = Target(_with_role(person_name(membership.user), str(membership.get_role_display())))
        else:
            user = people.get(str(event.data.get("user", "")).lower())
            name = person_name(user) if user else pgettext("person", "User without a name on record")
            targets[event.id] = Target(_with_role(name, _role_label(str(event.data.get("role", "")))))
    return targets


def register_core_targets() -> None:
    register_target(
        "entities.entity",
        model_targets(
            Entity,
            visible=lambda reader: entities_of(reader),
            url=lambda entity: reverse("entity_workspace", args=[entity.code]),
            label=lambda entity: entity.name,
        ),
    )
    register_target("entities.rolloutphase", model_targets(RolloutPhase, label=lambda phase: str(phase)))
    register_target("accounts.user", model_targets(User, label=person_name))
    register_target("accounts.membership", memberships)
