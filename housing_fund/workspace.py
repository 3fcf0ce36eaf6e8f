from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from govportal.entities.models import Entity
from govportal.web.workspace import Card
from housing_fund.constants import LoanStatus
from housing_fund.models import Loan, Reschedule
from housing_fund.selectors import STAFF_ROLES, overdue_installments

# Counts are whole phrases with their plural forms (Arabic has six), as in collection.workspace.


def housing_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    if not roles & {str(role) for role in STAFF_ROLES}:
        return []
    loans = Loan.objects.filter(branch=entity)
    if not loans.exists():
        return []
    active = loans.filter(status__in=[LoanStatus.ACTIVE, LoanStatus.RESCHEDULED]).count()
    in_arrears = overdue_installments(loans).values("loan").distinct().count()
    to_decide = Reschedule.objects.filter(loan__branch=entity, status="proposed").count()
    return [
        Card(
            title=_("Housing loans"),
            url=reverse("housing_fund:portfolio"),
            count_text=npgettext("loans", "%(count)s active", "%(count)s active", active) % {"count": active},
            alert_text=npgettext("loans", "%(count)s in arrears", "%(count)s in arrears", in_arrears)
            % {"count": in_arrears}
            if in_arrears
            else "",
        ),
        Card(
            title=_("Reschedulings awaiting approval"),
            url=reverse("housing_fund:portfolio") + "?reschedule=proposed",
            count_text=npgettext("reschedulings", "%(count)s to decide", "%(count)s to decide", to_decide)
            % {"count": to_decide},
        ),
    ]


def housing_citizen_cards(user: Any) -> list[Card]:
    """The citizen's loans (or the way to link one) on their account page."""
    if not hasattr(user, "citizen_profile"):
        return []
    loans = Loan.objects.filter(borrower=user)
    count = loans.count()
    if not count:
        return [Card(title=_("Link your housing loan"), url=reverse("housing_fund:link"))]
    overdue = overdue_installments(loans).count()
    return [
        Card(
            title=ngettext("My housing loan", "My housing loans", count),
            url=reverse("housing_fund:my_loans"),
            count_text=ngettext("%(count)s loan", "%(count)s loans", count) % {"count": count},
            alert_text=ngettext("%(count)s overdue installment", "%(count)s overdue installments", overdue)
            % {"count": overdue}
            if overdue
            else "",
        )
    ]
