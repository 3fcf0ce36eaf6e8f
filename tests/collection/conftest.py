"""Settlement reconciliation fixtures: payments as the payment flow leaves them, and settlement CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import factory
import pytest
from django.utils import timezone

from collection.constants import Method, PaymentStatus, Provider
from collection.models import Payment, Settlement, SettlementFile, SettlementRow
from collection.providers.sandbox import SETTLEMENT_COLUMNS
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from tests.factories import EntityFactory, MembershipFactory


class PayerFactory(factory.django.DjangoModelFactory):
    """A citizen who paid; no password (hashing one is slow and these never sign in)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"payer{n}@example.iq")
    full_name = factory.Sequence(lambda n: f"Payer {n}")
    password = "!"  # unusable


class PaymentFactory(factory.django.DjangoModelFactory):
    """An online sandbox payment that succeeded (three days ago, unless told)."""

    class Meta:
        model = Payment

    payment_ref = factory.Sequence(lambda n: f"P2611{n:08d}")
    payer = factory.SubFactory(PayerFactory)
    collecting_entity = factory.SubFactory(EntityFactory)
    amount = 50_000
    method = Method.ONLINE_CARD
    provider = Provider.SANDBOX
    provider_ref = factory.Sequence(lambda n: f"txn_{n:020x}")
    status = PaymentStatus.SUCCEEDED
    basket_key = factory.Sequence(lambda n: f"basket-{n}")
    card_last4 = "1111"
    succeeded_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))

    class Params:
        pending = factory.Trait(status=PaymentStatus.PENDING, succeeded_at=None)
        failed = factory.Trait(status=PaymentStatus.FAILED, succeeded_at=None, failure_reason="card_declined")


def settlement_line(payment: Payment | None = None, **changes: Any) -> dict[str, str]:
    """One settlement row as the sandbox writes it, for ``payment`` (or made up), with ``changes``."""
    settled = (payment.succeeded_at if payment and payment.succeeded_at else timezone.now()).astimezone(dt.UTC)
    row = {
        "txn_id": payment.provider_ref if payment else "txn_unknown",
        "payment_ref": payment.payment_ref if payment else "P000000NOSUCH",
        "amount": str(payment.amount if payment else 1_000),
        "currency": "IQD",
        "status": "settled",
        "settled_at": settled.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "card_last4": "1111",
        "fee": str((payment.amount if payment else 1_000) * 5 // 1000),
    }
    return row | {key: str(value) for key, value in changes.items()}


def settlement_bytes(rows: Iterable[dict[str, str]], columns: list[str] = SETTLEMENT_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def recon(db: Any) -> dict[str, Any]:
    """Two collecting entities: the housing fund and the electricity department."""
    return {"fund": EntityFactory(code="IHF"), "other": EntityFactory(code="ELEC")}


@pytest.fixture
def staff(recon: dict[str, Any]) -> dict[str, Any]:
    """The housing fund's staff (memberships, with TOTP) and a fund officer of the other entity."""
    fund, other = recon["fund"], recon["other"]
    return {
        "officer": MembershipFactory(entity=fund, role=Role.FUND_OFFICER),
        "head": MembershipFactory(entity=fund, role=Role.ENTITY_HEAD),
        "auditor": MembershipFactory(entity=fund, role=Role.AUDITOR),
        "clerk": MembershipFactory(entity=fund, role=Role.REGISTRY_CLERK),
        "other_officer": MembershipFactory(entity=other, role=Role.FUND_OFFICER),
    }


@pytest.fixture
def write_settlement(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: Iterable[dict[str, str]], name: str = "sandbox.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(settlement_bytes(rows))
        return path

    return write


@pytest.fixture
def private_settlements(settings: Any, tmp_path: Path) -> Path:
    """Stored settlement files go to a temporary folder, not var/files."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


# The payment-flow world (a fund, its staff, a citizen with two bills) shared by the payment tests.
from tests.collection.payments_world import world  # noqa: E402, F401


def outcomes_by_line(settlement: SettlementFile) -> dict[int, str]:
    """Each line of the file with what reconciliation made of it: settled its payment, or kept for staff."""
    matched = dict.fromkeys(Settlement.objects.filter(file=settlement).values_list("line", flat=True), "matched")
    return matched | dict(SettlementRow.objects.filter(file=settlement).values_list("line", "outcome"))
