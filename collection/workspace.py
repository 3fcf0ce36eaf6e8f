from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from collection.models import Discrepancy, Outlet, Payment
from collection.selectors import CASHIER_ROLES, STAFF_ROLES
from govportal.entities.models import Entity
from govportal.web.workspace import Card


def collection_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    cards = []
    if roles & {str(role) for role in STAFF_ROLES}:
        cards.append(
            Card(
                title=_("Payments collected"),
                url=reverse("collection:staff_payments"),
                count=Payment.objects.filter(collecting_entity=entity).active().count(),
                count_label=_("under way"),
                alert=Discrepancy.objects.filter(collecting_entity=entity, resolved_at__isnull=True).count(),
                alert_label=_("discrepancies to check"),
            )
        )
    if roles & {str(role) for role in CASHIER_ROLES}:
        cards.append(
            Card(
                title=_("Outlet counter"),
                url=reverse("collection:outlet"),
                count=Outlet.objects.filter(entity=entity, is_active=True).count(),
                count_label=_("open outlets"),
            )
        )
    return cards
