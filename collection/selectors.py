"""Who sees which bills and payments. Every collection view reads through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from collection.constants import CAPTURED
from collection.models import (
    Discrepancy,
    Obligation,
    ObligationQuerySet,
    Outlet,
    Payment,
    PaymentQuerySet,
    Refund,
)
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


def payments_for_bills(bills: Any) -> PaymentQuerySet:
    """The payments that took money for any of ``bills`` (ids or a values queryset), oldest first.
    Domain apps that bill through collection (the housing fund) read their payments here."""
    return (
        Payment.objects.filter(allocations__obligation__in=bills, status__in=CAPTURED)
        .distinct()
        .select_related("receipt")
        .order_by("succeeded_at")
    )


def collecting_entities(user: Any) -> QuerySet[Entity]:
    return entities_of(user, roles=STAFF_ROLES)


def staff_payments(user: Any) -> QuerySet[Payment]:
    """Payments collected by the entities where the user is a fund officer, head or auditor."""
    return (
        Payment.objects.filter(collecting_entity__in=collecting_entities(user))
        .select_related("collecting_entity", "payer", "outlet", "receipt")
        .order_by("-created_at")
    )


def staff_refunds(user: Any) -> QuerySet[Refund]:
    """Refunds of the payments collected by the user's entities (as ``staff_payments``), newest first."""
    return (
        Refund.objects.filter(payment__collecting_entity__in=collecting_entities(user))
        .select_related("payment__payer", "created_by")
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


# --- Settlement reconciliation (pages in collection/views/reconciliation.py) -------------
# Settlement files are per provider, not per entity: staff see a file when it has rows of
# their entities (or they uploaded it), and only their entities' rows and discrepancies.
# Superusers (administrators) see everything, including rows no entity owns (unknown payments).


def settlement_files(user: Any) -> QuerySet[Any]:
    from django.db.models import Q

    from collection.models import SettlementFile

    files = SettlementFile.objects.select_related("uploaded_by").order_by("-created_at")
    if user.is_superuser:
        return files
    mine = [str(pk) for pk in collecting_entities(user).values_list("pk", flat=True)]
    visible = Q(uploaded_by=user) | Q(entity_counts__has_any_keys=mine) if mine else Q(uploaded_by=user)
    return files.filter(visible)


def settlement_rows(user: Any, settlement: Any) -> QuerySet[Any]:
    from collection.models import SettlementRow

    rows = SettlementRow.objects.filter(file=settlement).select_related("payment", "collecting_entity")
    if user.is_superuser:
        return rows
    return rows.filter(collecting_entity__in=collecting_entities(user))


def settlement_counts(user: Any, settlement: Any) -> dict[str, int]:
    """The file's rows per outcome that belong to the user's entities (all of them for superusers)."""
    if user.is_superuser:
        return dict(settlement.counts)
    totals: dict[str, int] = {}
    for pk in collecting_entities(user).values_list("pk", flat=True):
        for outcome, n in settlement.entity_counts.get(str(pk), {}).items():
            totals[outcome] = totals.get(outcome, 0) + n
    return totals


def discrepancies_visible(user: Any) -> QuerySet[Discrepancy]:
    found = Discrepancy.objects.all() if user.is_superuser else discrepancies(user)
    return found.select_related("payment", "row", "file", "collecting_entity", "resolved_by")


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def paid_online(user: Any, day: dt.date) -> PaymentQuerySet:
    """Card payments through an online provider that succeeded on ``day``, of the user's entities."""
    from collection.constants import Provider

    start, end = day_bounds(day)
    entities = Entity.objects.all() if user.is_superuser else collecting_entities(user)
    return Payment.objects.filter(
        collecting_entity__in=entities, status__in=CAPTURED, succeeded_at__gte=start, succeeded_at__lt=end
    ).exclude(provider=Provider.OUTLET)


def paid_online_as_settled(user: Any, day: dt.date) -> QuerySet[Any]:
    """``paid_online`` with what the settlement files said of each payment: its settlement
    (``settled_at``, ``settled_txn_id``, ``settled_fee``), else the latest line about it in front
    of staff (``row_txn_id``, ``row_amount``, ``row_fee``, ``row_outcome``), and whether it was
    reported missing. Each found by primary key or index; in the order they were paid."""
    from django.db.models import Exists, OuterRef, Subquery

    from collection.constants import DiscrepancyKind
    from collection.models import Settlement, SettlementRow

    settlement = Settlement.objects.filter(payment=OuterRef("pk"))
    questioned = Discrepancy.objects.filter(payment=OuterRef("pk"), row__isnull=False).order_by("-pk").values("row")
    row = SettlementRow.objects.filter(pk=OuterRef("row_pk"))
    return (
        paid_online(user, day)
        .annotate(
            settled_at=Subquery(settlement.values("settled_at")),
            settled_txn_id=Subquery(settlement.values("txn_id")),
            settled_fee=Subquery(settlement.values("fee")),
            row_pk=Subquery(questioned[:1]),
        )
        .annotate(
            row_txn_id=Subquery(row.values("txn_id")),
            row_amount=Subquery(row.values("amount")),
            row_fee=Subquery(row.values("fee")),
            row_outcome=Subquery(row.values("outcome")),
            reported_missing=Exists(Discrepancy.objects.filter(payment=OuterRef("pk"), kind=DiscrepancyKind.MISSING)),
        )
        .select_related("collecting_entity")
        .order_by("succeeded_at", "payment_ref")
    )


def reconciliation_day(user: Any, day: dt.date) -> dict[str, Any]:
    """What was paid with us on ``day`` against what the providers settled of it, fees and discrepancies."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    from collection.models import Settlement

    start, end = day_bounds(day)
    paid = paid_online(user, day)
    totals = paid.aggregate(count=Count("pk"), amount=Sum("amount"))
    settled = Settlement.objects.filter(payment__in=paid).aggregate(
        count=Count("pk"), amount=Sum("payment__amount"), fee=Sum("fee")
    )
    awaiting = paid.unsettled().aggregate(count=Count("pk"), amount=Sum("amount"))
    found = discrepancies_visible(user).filter(
        Q(payment__succeeded_at__gte=start, payment__succeeded_at__lt=end)
        | Q(row__settled_at__gte=start, row__settled_at__lt=end)
    )
    questioned = found.aggregate(
        count=Count("pk"),
        open=Count("pk", filter=Q(resolved_at__isnull=True)),
        amount=Sum(Coalesce("reported_amount", "expected_amount")),
    )
    return {
        "day": day,
        "paid": {"count": totals["count"] or 0, "amount": totals["amount"] or 0},
        "settled": {"count": settled["count"] or 0, "amount": settled["amount"] or 0},
        "fees": {"count": settled["count"] or 0, "amount": settled["fee"] or 0},
        "net": {"count": settled["count"] or 0, "amount": (settled["amount"] or 0) - (settled["fee"] or 0)},
        "awaiting": {"count": awaiting["count"] or 0, "amount": awaiting["amount"] or 0},
        "discrepancies": {
            "count": questioned["count"] or 0,
            "open": questioned["open"] or 0,
            "amount": questioned["amount"] or 0,
        },
    }
