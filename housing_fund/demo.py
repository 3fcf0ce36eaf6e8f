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
    return {"loan": DEMO_LOAN, "loan_by_national_id": _demo_unlinked_loan()}


# A loan whose borrower has no portal account yet (the sandbox identity provider's person from Erbil):
# it joins their account at their first national sign-in, with no loan number or date of birth typed.
UNLINKED_LOAN = "IHF-ERB-2025-00088"
UNLINKED_BORROWER = ("198507220143", "هيوا جلال رشيد", dt.date(1985, 7, 22))


def _demo_unlinked_loan() -> str:
    if not Loan.objects.filter(number=UNLINKED_LOAN).exists():
        national_id, name, birth_date = UNLINKED_BORROWER
        loan_create(
            number=UNLINKED_LOAN,
            borrower_name=name,
            borrower_national_id=national_id,
            borrower_birth_date=birth_date,
            purpose=LoanPurpose.BUY,
            principal=40_000_000,
            admin_fee=400_000,
            term_months=180,
            start_date=add_months(timezone.localdate(), -3),
            branch=Entity.objects.get(code="IHF"),
        )
    return UNLINKED_LOAN
