"""Writes to accounts: memberships and citizen registration, each audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from govportal.accounts.constants import Role
from govportal.accounts.models import CitizenProfile, Membership, User, mask_national_id
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


@transaction.atomic
def citizen_signup_duplicate(*, owner: User, email: str, request: HttpRequest) -> None:
    """Someone signed up with the national ID number of ``owner``'s account: nothing is created, the
    page answers as for a new account, and the owner is told by e-mail how to sign in or reset their
    password (at most once per confirmation-mail interval, like allauth's own mails to an address)."""
    audit_record(action="citizen_signup_duplicate", target=owner, data={"email": email}, request=request)
    if not owner.email:  # a citizen who signs in nationally: no address to tell
        return
    if not ratelimit.consume(request, action="confirm_email", key=owner.email.lower()):
        return
    site = settings.SITE_URL
    get_adapter(request).send_mail(
        "account/email/national_id_already_registered",
        owner.email,
        {
            "email": email,
            "masked_national_id": owner.citizen_profile.masked_national_id,
            "login_url": site + reverse("account_login"),
            "password_reset_url": site + reverse("account_reset_password"),
        },
    )


# --- National identity -----------------------------------------------------------------------------

NationalIdListener = Callable[[User, str, HttpRequest | None], None]
_national_id_listeners: list[NationalIdListener] = []


def national_id_listener_register(listener: NationalIdListener) -> None:
    """Domain apps hear of a verified national ID this way (housing_fund links the person's loans),
    so the core never imports them."""
    if listener not in _national_id_listeners:
        _national_id_listeners.append(listener)


def _national_id_verified(*, user: User, national_id: str, request: HttpRequest | None) -> None:
    for listener in _national_id_listeners:
        listener(user, national_id, request)


@transaction.atomic
def citizen_register_national(
    *, user: User, full_name: str, national_id: str, provider: str, request: HttpRequest | None = None
) -> CitizenProfile:
    """A citizen's first national sign-in: their account, with the national ID the platform vouched
    for (no e-mail address or phone is needed). The caller has checked that no account has it."""
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    profile = CitizenProfile.objects.create(user=user, national_id=national_id, national_id_verified_at=timezone.now())
    audit_record(action="citizen_register", actor=user, target=user, data={"via": provider}, request=request)
    _national_id_verified(user=user, national_id=national_id, request=request)
    return profile


@transaction.atomic
def national_identity_link(*, user: User, national_id: str, provider: str, request: HttpRequest | None = None) -> None:
    """An existing account (an e-mail citizen or a staff member) is now joined to a national identity,
    after its password was confirmed; a citizen's typed national ID becomes verified."""
    CitizenProfile.objects.filter(user=user, national_id=national_id).update(national_id_verified_at=timezone.now())
    audit_record(
        action="national_identity_link",
        actor=user,
        target=user,
        data={"provider": provider, "national_id": mask_national_id(national_id)},
        request=request,
    )
    _national_id_verified(user=user, national_id=national_id, request=request)


def national_signin(*, user: User, national_id: str, request: HttpRequest | None = None) -> None:
    """Each national sign-in of a known person: anything new under their national ID (a loan imported
    since) joins their account."""
    _national_id_verified(user=user, national_id=national_id, request=request)
