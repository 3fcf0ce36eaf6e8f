"""Reads of the API core with permission scoping: the delivery log and the clients a head runs."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.api.constants import LOG_ROLES, RESEND_ROLES
from govportal.api.models import ApiClient, NotificationDelivery
from govportal.entities.models import Entity


def client_entities(user: Any) -> QuerySet[Entity]:
    """The entities whose API clients ``user`` manages: where they are the head."""
    return entities_of(user, roles=[Role.ENTITY_HEAD])


def clients_of(user: Any) -> QuerySet[ApiClient]:
    return (
        ApiClient.objects.filter(entity__in=client_entities(user))
        .select_related("entity", "application")
        .order_by(F("revoked_at").asc(nulls_first=True), "entity__code", "name")  # active ones first
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


def deliveries_for(user: Any) -> QuerySet[NotificationDelivery]:
    """Notifications to the clients of the entities where ``user`` runs or watches collection."""
    return NotificationDelivery.objects.filter(client__entity__in=entities_of(user, roles=LOG_ROLES)).select_related(
        "client__entity"
    )


def may_resend(user: Any, delivery: NotificationDelivery) -> bool:
    return entities_of(user, roles=RESEND_ROLES).filter(pk=delivery.client.entity_id).exists()


def clients_headed_by(user: Any) -> QuerySet[ApiClient]:
    """The active clients of the entities ``user`` heads: theirs to give an endpoint."""
    return (
        ApiClient.objects.active()
        .filter(entity__in=entities_of(user, roles=[Role.ENTITY_HEAD]))
        .select_related("entity", "application")
    )
