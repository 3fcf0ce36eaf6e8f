"""A demo borrower's loan for ``seed_demo`` (idempotent): the demo citizen's, linked, two years in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from govportal.accounts.models import User
from govportal.entities.models import Entity
from housing_fund.constants import LoanPurpose
from housing_fund.models import Installment, Loan
from housing_fund.schedule import add_months
from housing_fund.services import installments_bill, loan_create

DEMO_LOAN = "IHF-BGD-2024-00417"


def demo_loans() -> dict[str, Any]:
    """A 50-million-dinar loan over 20 years that started 14 months ago; 12 installments were paid
    before the portal (the legacy system), the 13th is due, the 14th overdue: the citizen can pay."""
    citizen = User.objects.get(email__startswith="citizen@")
    ihf = Entity.objects.get(code="IHF")
    loan = Loan.objects.filter(number=DEMO_LOAN).first()
    if loan is None:
        profile = citizen.citizen_profile
        loan = loan_create(
            number=DEMO_LOAN,
            borrower_name=citizen.full_name,
            borrower_national_id=profile.national_id,
            borrower_birth_date=dt.date(1990, 3, 14),
            purpose=LoanPurpose.BUILD,
            principal=50_000_000,
            admin_fee=500_000,
            term_months=240,
            start_date=add_months(timezone.localdate(), -14),
            branch=ihf,
        )
        Installment.objects.filter(loan=loan, number__lte=12).update(paid=F("amount"), legacy_paid=F("amount"))
        loan.borrower = citizen
        loan.save(update_fields=["borrower"])
    installments_bill(loan=loan)
    return {"loan": DEMO_LOAN}
