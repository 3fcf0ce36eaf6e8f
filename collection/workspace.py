from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from collection.models import Discrepancy, Obligation, Outlet, Payment
from collection.selectors import (
    CASHIER_ROLES,
    OUTLET_MANAGER_ROLES,
    STAFF_ROLES,
    outlet_entities,
    outlets_of,
    with_readiness,
)
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
    if roles & {str(role) for role in OUTLET_MANAGER_ROLES} and outlet_entities(user).filter(pk=entity.pk).exists():
        outlets = with_readiness(Outlet.objects.filter(entity=entity).open())
        cards.append(
            Card(
                title=_("Payment outlets"),
                url=reverse("collection:outlet_list"),
                count=outlets.count(),
                count_label=pgettext("outlets", "open"),
                alert=outlets.filter(Q(open_terminals=0) | Q(cashiers=0)).count(),
                alert_label=_("open but unable to take payments"),
            )
        )
    if roles & {str(role) for role in CASHIER_ROLES}:
        cards.append(
            Card(
                title=_("Outlet counter"),
                url=reverse("collection:outlet"),
                count=outlets_of(user).filter(entity=entity).count(),
                count_label=_("open outlets where you work"),
            )
        )
    return cards


def collection_citizen_cards(user: Any) -> list[Card]:
    """A citizen's bills and payments on their account page."""
    bills = Obligation.objects.filter(payer=user)
    if not bills.exists():
        return []
    return [
        Card(
            title=_("My bills"),
            url=reverse("collection:bills"),
            count=bills.payable().count(),
            count_label=_("to pay"),
            alert=bills.payable().filter(due_date__lt=timezone.localdate()).count(),
            alert_label=_("overdue"),
        ),
        Card(title=_("My payments and receipts"), url=reverse("collection:payments")),
    ]
