from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

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

# Counts are whole phrases with their plural forms (Arabic has six; some leave the number out:
# "فاتورتان"), so each is ngettext(...) % {"count": n} here, where makemessages finds it.


def collection_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    cards = []
    if roles & {str(role) for role in STAFF_ROLES}:
        under_way = Payment.objects.filter(collecting_entity=entity).active().count()
        to_check = Discrepancy.objects.filter(collecting_entity=entity, resolved_at__isnull=True).count()
        cards.append(
            Card(
                title=_("Payments collected"),
                url=reverse("collection:staff_payments"),
                count_text=npgettext("payments", "%(count)s under way", "%(count)s under way", under_way)
                % {"count": under_way},
                alert_text=ngettext("%(count)s discrepancy to check", "%(count)s discrepancies to check", to_check)
                % {"count": to_check}
                if to_check
                else "",
            )
        )
    if roles & {str(role) for role in OUTLET_MANAGER_ROLES} and outlet_entities(user).filter(pk=entity.pk).exists():
        outlets = with_readiness(Outlet.objects.filter(entity=entity).open())
        opened, unable = outlets.count(), outlets.filter(Q(open_terminals=0) | Q(cashiers=0)).count()
        cards.append(
            Card(
                title=_("Payment outlets"),
                url=reverse("collection:outlet_list"),
                count_text=npgettext("outlets", "%(count)s open", "%(count)s open", opened) % {"count": opened},
                alert_text=ngettext(
                    "%(count)s open but unable to take payments", "%(count)s open but unable to take payments", unable
                )
                % {"count": unable}
                if unable
                else "",
            )
        )
    if roles & {str(role) for role in CASHIER_ROLES}:
        mine = outlets_of(user).filter(entity=entity).count()
        cards.append(
            Card(
                title=_("Outlet counter"),
                url=reverse("collection:outlet"),
                count_text=ngettext(
                    "%(count)s open outlet where you work", "%(count)s open outlets where you work", mine
                )
                % {"count": mine},
            )
        )
    return cards


def collection_citizen_cards(user: Any) -> list[Card]:
    """A citizen's bills and payments on their account page."""
    bills = Obligation.objects.filter(payer=user)
    if not bills.exists():
        return []
    payable, overdue = bills.payable().count(), bills.overdue().count()
    return [
        Card(
            title=_("My bills"),
            url=reverse("collection:bills"),
            count_text=ngettext("%(count)s bill to pay", "%(count)s bills to pay", payable) % {"count": payable},
            alert_text=ngettext("%(count)s overdue bill", "%(count)s overdue bills", overdue) % {"count": overdue}
            if overdue
            else "",
        ),
        Card(title=_("My payments and receipts"), url=reverse("collection:payments")),
    ]
