"""A housing-fund branch, its staff, and a citizen whose loan is linked and billed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govportal.accounts.constants import Role
from housing_fund.services import loan_create, loan_link
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory

BIRTH = dt.date(1990, 3, 14)


@pytest.fixture
def fund(db: Any, settings: Any) -> dict[str, Any]:
    settings.PAYMENT_SANDBOX_DUPLICATE_PERCENT = 0
    settings.PAYMENT_PROVIDER = "sandbox"
    branch = EntityFactory(code="IHF")
    return {
        "branch": branch,
        "citizen": CitizenProfileFactory(national_id="199012345678").user,
        "officer": MembershipFactory(entity=branch, role=Role.FUND_OFFICER).user,
        "head": MembershipFactory(entity=branch, role=Role.ENTITY_HEAD).user,
    }


def make_loan(fund: dict[str, Any], *, number: str = "L-1", total: int = 1_200_000, term: int = 12,
              start: dt.date | None = None, fee: int = 0) -> Any:  # fmt: skip
    return loan_create(
        number=number,
        borrower_name="أحمد كريم العبيدي",
        borrower_national_id="199012345678",
        borrower_birth_date=BIRTH,
        purpose="build",
        principal=total - fee,
        admin_fee=fee,
        term_months=term,
        start_date=start or dt.date.today() - dt.timedelta(days=75),
        branch=fund["branch"],
    )


@pytest.fixture
def linked(fund: dict[str, Any]) -> Any:
    """A 12 × 100,000 loan that started 75 days ago: installments 1 and 2 overdue, 3 due soon; linked."""
    make_loan(fund)
    return loan_link(user=fund["citizen"], number="L-1", national_id="199012345678", birth_date=BIRTH)
