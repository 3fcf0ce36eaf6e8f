"""Writes to accounts: memberships and citizen registration, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from govportal.accounts.constants import Role
from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.audit.services import audit_record
from govportal.entities.models import Entity


@transaction.atomic
def membership_grant(
    *,
    user: User,
    entity: Entity,
    role: Role | str,
    title: str = "",
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Give ``user`` a role in ``entity`` (idempotent: granting twice keeps one membership)."""
    membership, created = Membership.objects.get_or_create(
        user=user, entity=entity, role=role, defaults={"title": title}
    )
    if created:
        audit_record(
            action="membership_grant",
            actor=actor,
            entity=entity,
            target=membership,
            data={"user": user.email, "role": str(role)},
            request=request,
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: Any = None, request: HttpRequest | None = None) -> None:
    audit_record(
        action="membership_revoke",
        actor=actor,
        entity=membership.entity,
        target=membership,
        data={"user": membership.user.email, "role": membership.role},
        request=request,
    )
    membership.delete()


@transaction.atomic
def citizen_register(
    *, user: User, full_name: str, national_id: str, phone: str, request: HttpRequest | None = None
) -> CitizenProfile:
    """Complete a citizen's sign-up: their name and the profile that makes them a citizen."""
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    profile = CitizenProfile.objects.create(user=user, national_id=national_id, phone=phone)
    audit_record(action="citizen_register", actor=user, target=user, data={}, request=request)
    return profile
