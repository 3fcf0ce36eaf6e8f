"""Reads of the API core with permission scoping: the delivery log and the clients a head runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.api.constants import LOG_ROLES, RESEND_ROLES
from govportal.api.models import ApiClient, NotificationDelivery


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
