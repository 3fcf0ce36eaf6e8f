from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.api.models import ApiClient
from govportal.entities.models import Entity


def client_entities(user: Any) -> QuerySet[Entity]:
    """The entities whose API clients ``user`` manages: where they are the head."""
    return entities_of(user, roles=[Role.ENTITY_HEAD])


def clients_of(user: Any) -> QuerySet[ApiClient]:
    return (
        ApiClient.objects.filter(entity__in=client_entities(user))
        .select_related("entity", "application")
        .order_by("revoked_at", "entity__code", "name")
    )


def client_for(user: Any, pk: Any) -> ApiClient:
    """One client the user manages; any other is a 404."""
    client = clients_of(user).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def api_cards(user: Any, entity: Entity, roles: set[str]) -> list[Any]:
    """The head's workspace card: the entity's API clients."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from govportal.web.workspace import Card

    if str(Role.ENTITY_HEAD) not in roles:
        return []
    active = ApiClient.objects.active().filter(entity=entity).count()
    return [
        Card(
            title=gettext("API clients"),
            url=reverse("api:client_list"),
            count_text=ngettext("%(count)s active client", "%(count)s active clients", active) % {"count": active},
        )
    ]
