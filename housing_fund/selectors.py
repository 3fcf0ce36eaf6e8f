"""Who sees which loans. Every housing-fund view reads through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Min, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.selectors import Origin
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from housing_fund.constants import AGING_BUCKETS, InstallmentState, LoanStatus
from housing_fund.models import Installment, Loan

STAFF_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)
# Loans still being repaid: the ones the arrears report ages (settled and defaulted ones are not).
OPEN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.RESCHEDULED)


def loans_of_citizen(user: Any) -> QuerySet[Loan]:
    return Loan.objects.filter(borrower=user).select_related("branch").order_by("number")


def loan_origin(bills: list[Any]) -> Origin | None:
    """Collection's origin finder: bills that are installments of one loan come from its page."""
    loan_ids = set(Installment.objects.filter(obligation__in=bills).values_list("loan_id", flat=True))
    if len(loan_ids) != 1 or Installment.objects.filter(obligation__in=bills).count() != len(bills):
        return None
    loan = Loan.objects.get(pk=loan_ids.pop())
    return Origin(
        url=reverse("housing_fund:my_loan", args=[loan.pk]),
        label=_("Back to housing loan %(number)s") % {"number": f"\u2068{loan.number}\u2069"},  # keeps its direction
    )


def branches(user: Any) -> Any:
    return entities_of(user, roles=STAFF_ROLES)


def portfolio(user: Any) -> QuerySet[Loan]:
    """Loans of the branches where the user is a fund officer, head or auditor."""
    return Loan.objects.filter(branch__in=branches(user)).select_related("branch", "borrower")


def overdue_installments(loans: Any, today: dt.date | None = None) -> QuerySet[Installment]:
    """The one rule for an overdue installment (as for an overdue bill): unpaid, of the current
    schedule, and its due day (Baghdad) has passed. ``installment_state`` says the same of one."""
    return Installment.objects.filter(
        loan__in=loans, replaced=False, paid__lt=F("amount"), due_date__lt=today or timezone.localdate()
    )


def installment_state(item: Installment, today: dt.date) -> InstallmentState:
    if item.replaced:
        return InstallmentState.REPLACED
    if item.paid >= item.amount:
        return InstallmentState.PAID
    if item.due_date < today:
        return InstallmentState.OVERDUE
    if item.paid:
        return InstallmentState.PARTLY_PAID
    return InstallmentState.DUE if (item.due_date - today).days <= 31 else InstallmentState.UPCOMING


def arrears_aging(loans: QuerySet[Loan], today: dt.date) -> list[dict[str, Any]]:
    """Active loans by how long their oldest unpaid installment is overdue: count and amount overdue
    per bucket. One grouped query over the unpaid past-due installments (a partial index)."""
    # Unpaid installments are mostly future ones, which PostgreSQL's statistics cannot tell: asked
    # for the unpaid ones due before today it expects millions of rows (of 24 million) and reads the
    # whole table (2 s and more, bench/housing.py). The lower bound — the earliest unpaid due date,
    # the first entry of that partial index — changes no result, but a range with an unknown end is
    # estimated small, so the past-due part of the index is read instead (a few hundred ms). No
    # ordering: the model's would join schedules and loans.
    earliest_unpaid = Installment.objects.filter(paid__lt=F("amount")).order_by("due_date").values("due_date")[:1]
    overdue = (
        Installment.objects.filter(
            loan__in=loans.filter(status__in=OPEN_STATUSES).values("pk"),
            replaced=False,
            paid__lt=F("amount"),
            due_date__lt=today,
            due_date__gte=Subquery(earliest_unpaid),
        )
        .order_by()
        .values("loan")
        .annotate(oldest=Min("due_date"), arrears=Sum(F("amount") - F("paid")))
        .values_list("oldest", "arrears")
    )
    buckets: dict[str, dict[str, Any]] = {
        code: {"code": code, "label": label, "count": 0, "amount": 0} for code, label, _lo, _hi in AGING_BUCKETS
    }
    in_arrears = 0
    for oldest, arrears in overdue:
        days = (today - oldest).days
        for code, _label, low, high in AGING_BUCKETS[1:]:
            if days >= low and (high is None or days <= high):
                buckets[code]["count"] += 1
                buckets[code]["amount"] += int(arrears)
                in_arrears += 1
                break
    active = loans.filter(status__in=OPEN_STATUSES).count()
    buckets["current"]["count"] = max(active - in_arrears, 0)
    return list(buckets.values())
