from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.entities.models import Entity
from govportal.web.workspace import Card
from housing_fund.constants import LoanStatus
from housing_fund.models import Installment, Loan, Reschedule
from housing_fund.selectors import STAFF_ROLES


def housing_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    if not roles & {str(role) for role in STAFF_ROLES}:
        return []
    loans = Loan.objects.filter(branch=entity)
    if not loans.exists():
        return []
    overdue = (
        Installment.objects.filter(loan__branch=entity, replaced=False, paid__lt=F("amount"))
        .filter(due_date__lt=timezone.localdate())
        .values("loan")
        .distinct()
        .count()
    )
    return [
        Card(
            title=_("Housing loans"),
            url=reverse("housing_fund:portfolio"),
            count=loans.filter(status__in=[LoanStatus.ACTIVE, LoanStatus.RESCHEDULED]).count(),
            count_label=_("active"),
            alert=overdue,
            alert_label=_("in arrears"),
        ),
        Card(
            title=_("Reschedulings awaiting approval"),
            url=reverse("housing_fund:portfolio") + "?reschedule=proposed",
            count=Reschedule.objects.filter(loan__branch=entity, status="proposed").count(),
            count_label=_("to decide"),
        ),
    ]


def housing_citizen_cards(user: Any) -> list[Card]:
    """The citizen's loans (or the way to link one) on their account page."""
    if not hasattr(user, "citizen_profile"):
        return []
    loans = Loan.objects.filter(borrower=user)
    if not loans.exists():
        return [Card(title=_("Link your housing loan"), url=reverse("housing_fund:link"))]
    return [
        Card(
            title=_("My housing loan"),
            url=reverse("housing_fund:my_loans"),
            count=loans.count(),
            count_label=_("loans"),
        )
    ]
