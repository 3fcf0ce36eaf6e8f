"""Who sees which bills and payments. Every collection view reads through these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from collection.constants import CAPTURED, RETRYABLE, Governorate, Method
from collection.models import (
    CashierAssignment,
    Discrepancy,
    Obligation,
    ObligationQuerySet,
    Outlet,
    Payment,
    PaymentQuerySet,
    Refund,
    Terminal,
)
from govportal.accounts.constants import Role
from govportal.accounts.models import Membership, User
from govportal.accounts.selectors import entities_of
from govportal.api.models import ApiClient
from govportal.audit.models import AuditEvent
from govportal.entities.models import Entity

STAFF_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)
CASHIER_ROLES = (Role.OUTLET_CASHIER,)
# Who opens and closes the entity's outlets and terminals and assigns its cashiers.
OUTLET_MANAGER_ROLES = (Role.ENTITY_HEAD,)


def bills_of(user: Any) -> ObligationQuerySet:
    """A citizen's own bills, open ones first by due date."""
    return Obligation.objects.filter(payer=user).select_related("collecting_entity").order_by("status", "due_date")


def bills_posted_by(entity: Entity) -> ObligationQuerySet:
    """The bills ``entity`` collects, as its systems read them through the API (another entity's: none)."""
    return Obligation.objects.filter(collecting_entity=entity).select_related("payer__citizen_profile")


def payments_of(user: Any) -> PaymentQuerySet:
    """A citizen's own payments, newest first."""
    return Payment.objects.filter(payer=user).select_related("collecting_entity", "receipt").order_by("-created_at")


# A payer's last choice of bills is kept this long after a payment that took no money.
CHOICE_KEPT_FOR = dt.timedelta(hours=24)


def last_choice(user: Any) -> tuple[Payment | None, list[str]]:
    """The bills the payer chose for their latest online payment, when it took no money (declined,
    cancelled, expired) in the last day and they can still be paid: the bills page ticks them again.
    Nothing once a later payment has started."""
    latest = (
        Payment.objects.filter(payer=user, method=Method.ONLINE_CARD, created_at__gte=timezone.now() - CHOICE_KEPT_FOR)
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.status not in RETRYABLE:
        return None, []
    chosen = Obligation.objects.payable().filter(allocations__payment=latest).values_list("pk", flat=True)
    return latest, [str(pk) for pk in chosen]


@dataclass(frozen=True)
class Origin:
    """Where bills came from, for the payer to go back to (a loan's page): its address and link text."""

    url: str
    label: str


# Domain apps that bill through collection say where their bills come from (the housing fund:
# the loan), registered in their apps.ready(); collection imports none of them.
OriginFinder = Callable[[list[Obligation]], Origin | None]
ORIGIN_FINDERS: list[OriginFinder] = []


def origin_finder_register(finder: OriginFinder) -> None:
    if finder not in ORIGIN_FINDERS:
        ORIGIN_FINDERS.append(finder)


def payment_origin(payment: Payment) -> Origin | None:
    """Where the bills a payment pays come from (a loan), if a domain app knows; else None."""
    bills = [allocation.obligation for allocation in payment.allocations.select_related("obligation")]
    for finder in ORIGIN_FINDERS:
        origin = finder(bills)
        if origin is not None:
            return origin
    return None


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


# --- Outlets ------------------------------------------------------------------------------
# Cashiers take payments at the open outlets they are assigned to; the entity's head runs its
# outlets (pages in collection/views/outlet_network.py); citizens see the open ones.


def outlets_of(user: Any) -> QuerySet[Outlet]:
    """The open outlets where the user may take payments: assigned there, and a cashier of its entity."""
    return (
        Outlet.objects.open()
        .filter(entity__in=entities_of(user, roles=CASHIER_ROLES), assignments__cashier=user)
        .select_related("entity")
        .order_by("code")
    )


def terminals_of(user: Any) -> QuerySet[Terminal]:
    """The open card terminals of the outlets where the user may take payments."""
    return (
        Terminal.objects.open()
        .filter(outlet__in=outlets_of(user).values("pk"))
        .select_related("outlet")
        .order_by("outlet__code", "terminal_id")
    )


def is_cashier(user: Any) -> bool:
    return entities_of(user, roles=CASHIER_ROLES).exists()


def outlet_entities(user: Any) -> QuerySet[Entity]:
    """The collecting entities whose outlets the user runs: those the user heads that bill
    citizens, have outlet cashiers or already have outlets."""
    return (
        entities_of(user, roles=OUTLET_MANAGER_ROLES)
        .filter(
            Exists(Obligation.objects.filter(collecting_entity=OuterRef("pk")))
            | Exists(Membership.objects.filter(entity=OuterRef("pk"), role__in=CASHIER_ROLES))
            | Exists(Outlet.objects.filter(entity=OuterRef("pk")))
        )
        .order_by("name_ar")
    )


def with_readiness(outlets: QuerySet[Outlet]) -> QuerySet[Any]:
    """``outlets`` with ``open_terminals`` and ``cashiers`` (assigned and still holding the role)."""
    terminals = Terminal.objects.open().filter(outlet=OuterRef("pk")).values("outlet").annotate(n=Count("pk"))
    cashiers = (
        CashierAssignment.objects.filter(
            outlet=OuterRef("pk"),
            cashier__in=Membership.objects.filter(entity=OuterRef(OuterRef("entity")), role__in=CASHIER_ROLES).values(
                "user"
            ),
        )
        .values("outlet")
        .annotate(n=Count("pk"))
    )
    return outlets.annotate(
        open_terminals=Coalesce(Subquery(terminals.values("n")), 0),
        cashiers=Coalesce(Subquery(cashiers.values("n")), 0),
    )


def outlets_managed(user: Any) -> QuerySet[Outlet]:
    """Every outlet (in any state) of the entities whose outlets the user runs, with its readiness."""
    return with_readiness(
        Outlet.objects.filter(entity__in=outlet_entities(user).values("pk")).select_related("entity")
    ).order_by("status", "code")


def outlet_managed_or_404(user: Any, code: str) -> Outlet:
    return get_object_or_404(outlets_managed(user), code=code)


def outlet_terminals(outlet: Outlet) -> QuerySet[Terminal]:
    """The outlet's terminals, open ones first."""
    return outlet.terminals.select_related("closed_by").order_by(F("closed_at").desc(nulls_first=True), "terminal_id")


def outlet_assignments(outlet: Outlet) -> QuerySet[CashierAssignment]:
    """Who is assigned to the outlet, each with ``holds_role``: still a cashier of its entity."""
    return (
        outlet.assignments.select_related("cashier", "assigned_by")
        .annotate(
            holds_role=Exists(
                Membership.objects.filter(user=OuterRef("cashier"), entity=outlet.entity_id, role__in=CASHIER_ROLES)
            )
        )
        .order_by("cashier__full_name", "cashier__email")
    )


def cashiers_assignable(outlet: Outlet) -> QuerySet[User]:
    """The outlet entity's cashiers not yet assigned to it."""
    members = Membership.objects.filter(entity=outlet.entity_id, role__in=CASHIER_ROLES).values("user")
    return (
        User.objects.filter(pk__in=members)
        .exclude(pk__in=outlet.assignments.values("cashier"))
        .order_by("full_name", "email")
    )


def outlet_history(outlet: Outlet) -> QuerySet[AuditEvent]:
    """What was done to the outlet, its terminals and its cashiers (every such event names the outlet)."""
    return AuditEvent.objects.for_target(outlet).order_by("id")


def outlets_for_closing(user: Any) -> QuerySet[Outlet]:
    """Outlets whose closing reports the user reads: a cashier's own, and every outlet its head runs."""
    return (
        Outlet.objects.filter(
            Q(pk__in=outlets_of(user).values("pk")) | Q(entity__in=outlet_entities(user).values("pk"))
        )
        .select_related("entity")
        .order_by("code")
    )


def outlets_listed(governorate: str = "") -> list[Outlet]:
    """The open outlets citizens may visit, by governorate (in the list's order), then name."""
    outlets = Outlet.objects.open().select_related("entity")
    if governorate:
        outlets = outlets.filter(governorate=governorate)
    order = {value: index for index, value in enumerate(Governorate.values)}
    return sorted(outlets, key=lambda outlet: (order[outlet.governorate], outlet.name, outlet.code))


def governorates_listed() -> list[tuple[str, str]]:
    """The governorates that have an open outlet, as choices."""
    present = set(Outlet.objects.open().values_list("governorate", flat=True))
    return [(value, str(label)) for value, label in Governorate.choices if value in present]


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
    visible = Q(uploaded_by=user)
    if mine:
        visible |= Q(entity__in=mine) | Q(entity_counts__has_any_keys=mine)
    return files.filter(visible)


def settlement_fetches(user: Any) -> QuerySet[Any]:
    """Requests for a provider's settlement file: a person's own (administrators: all)."""
    from collection.models import SettlementFetch

    fetches = SettlementFetch.objects.select_related("requested_by").order_by("-requested_at")
    return fetches if user.is_superuser else fetches.filter(requested_by=user)


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


def bill_api_client(obligation: Obligation) -> ApiClient | None:
    """The API client that posted ``obligation`` (None for the portal's own bills): the one told of
    its payments, refunds and cancellation. Reads ``Obligation.api_client`` (added with the bills
    API); until then every bill is the portal's own."""
    client_id = getattr(obligation, "api_client_id", None)
    if client_id is None:
        return None
    return ApiClient.objects.select_related("entity").filter(pk=client_id).first()
