"""Who may see what. Every staff view scopes its queries through these functions.

A staff member sees objects of the entities where they hold a membership (optionally
only with given roles). Anything outside that scope is reported as "not found" (404),
never "forbidden", so that the existence of another entity's objects is not revealed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from govportal.accounts.constants import Role
from govportal.accounts.models import Membership, User
from govportal.entities.models import Entity


def memberships_of(user: Any) -> models.QuerySet[Membership]:
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("entity")


def entities_of(user: Any, *, roles: Iterable[Role] | None = None) -> models.QuerySet[Entity]:
    """The entities in which ``user`` holds a membership (with one of ``roles`` when given)."""
    memberships = memberships_of(user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Entity.objects.filter(pk__in=memberships.values("entity_id"))


def roles_in(user: Any, entity: Entity) -> set[str]:
    return set(memberships_of(user).filter(entity=entity).values_list("role", flat=True))


def scope_to_user[M: models.Model](
    queryset: models.QuerySet[M], user: Any, *, via: str = "entity", roles: Iterable[Role] | None = None
) -> models.QuerySet[M]:
    """``queryset`` narrowed to objects whose ``via`` entity is one of the user's.

    ``via`` is the lookup path from the model to its owning entity; ``""`` when the
    queryset is of entities themselves.
    """
    entities = entities_of(user, roles=roles)
    lookup = f"{via}__in" if via else "pk__in"
    return queryset.filter(**{lookup: entities.values("pk")})


def get_for_user_or_404[M: models.Model](
    queryset: models.QuerySet[M],
    user: Any,
    *,
    via: str = "entity",
    roles: Iterable[Role] | None = None,
    **lookup: Any,
) -> M:
    """One object the user may see, or 404 — the same answer whether it exists elsewhere or not."""
    try:
        return scope_to_user(queryset, user, via=via, roles=roles).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def entity_staff(entity: Entity) -> list[tuple[Membership, bool]]:
    """The entity's memberships, each with whether its holder has TOTP (two queries in all)."""
    memberships = list(entity.memberships.select_related("user").order_by("user__email", "role"))
    with_totp = set(
        Authenticator.objects.filter(
            user_id__in=[m.user_id for m in memberships], type=Authenticator.Type.TOTP
        ).values_list("user_id", flat=True)
    )
    return [(m, m.user_id in with_totp) for m in memberships]


def is_staff_member(user: Any) -> bool:
    """Staff are administrators and anyone holding a membership in an entity."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or memberships_of(user).exists())


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa_setup(user: Any) -> bool:
    """Staff without a TOTP authenticator must set one up before anything else."""
    return is_staff_member(user) and not has_totp(user)
