"""Who sees which bills and payments. Every collection view reads through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from collection.constants import CAPTURED
from collection.models import Discrepancy, Obligation, ObligationQuerySet, Outlet, Payment, PaymentQuerySet
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.entities.models import Entity

STAFF_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)
CASHIER_ROLES = (Role.OUTLET_CASHIER,)


def bills_of(user: Any) -> ObligationQuerySet:
    """A citizen's own bills, open ones first by due date."""
    return Obligation.objects.filter(payer=user).select_related("collecting_entity").order_by("status", "due_date")


def payments_of(user: Any) -> PaymentQuerySet:
    """A citizen's own payments, newest first."""
    return Payment.objects.filter(payer=user).select_related("collecting_entity", "receipt").order_by("-created_at")


def collecting_entities(user: Any) -> QuerySet[Entity]:
    return entities_of(user, roles=STAFF_ROLES)


def staff_payments(user: Any) -> QuerySet[Payment]:
    """Payments collected by the entities where the user is a fund officer, head or auditor."""
    return (
        Payment.objects.filter(collecting_entity__in=collecting_entities(user))
        .select_related("collecting_entity", "payer", "outlet", "receipt")
        .order_by("-created_at")
    )


def can_see_payment(user: Any, payment: Payment) -> bool:
    """Its payer, the collecting entity's staff, and the entity's cashiers (who print receipts)."""
    if payment.payer_id == user.pk:
        return True
    allowed = entities_of(user, roles=(*STAFF_ROLES, *CASHIER_ROLES))
    return allowed.filter(pk=payment.collecting_entity_id).exists()


def discrepancies(user: Any) -> QuerySet[Discrepancy]:
    return Discrepancy.objects.filter(collecting_entity__in=collecting_entities(user)).select_related(
        "payment", "row", "resolved_by"
    )


def outlets_of(user: Any) -> QuerySet[Outlet]:
    """Open outlets of the entities where the user is a cashier."""
    return Outlet.objects.filter(entity__in=entities_of(user, roles=CASHIER_ROLES), is_active=True).select_related(
        "entity"
    )


def outlet_closing(outlet: Outlet, day: dt.date) -> dict[str, Any]:
    """The day's card payments at an outlet, totalled by cashier and terminal."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    paid = Payment.objects.filter(
        outlet=outlet, status__in=CAPTURED, succeeded_at__gte=start, succeeded_at__lt=start + dt.timedelta(days=1)
    )
    groups = list(
        paid.values("cashier__full_name", "cashier__email", "terminal_id")
        .annotate(count=Count("pk"), total=Sum("amount"), refunded=Sum("refunded_amount"))
        .order_by("cashier__full_name", "terminal_id")
    )
    totals = paid.aggregate(count=Count("pk"), total=Sum("amount"), refunded=Sum("refunded_amount"))
    return {
        "outlet": outlet,
        "day": day,
        "groups": groups,
        "count": totals["count"] or 0,
        "total": totals["total"] or 0,
        "refunded": totals["refunded"] or 0,
        "payments": paid.select_related("cashier", "payer", "receipt").order_by("succeeded_at"),
    }
