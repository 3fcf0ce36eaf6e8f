"""A settlement file is its collecting entity's: another entity's officer cannot settle the Fund's payments."""

from __future__ import annotations

import pytest

from collection.constants import Provider
from collection.models import Payment, Settlement
from collection.reconciliation import settlement_import
from tests.collection.conftest import PaymentFactory, settlement_bytes, settlement_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_settlements")]


def test_an_officer_of_another_entity_cannot_settle_the_funds_payments(recon, staff):
    funds = [PaymentFactory(collecting_entity=recon["fund"]) for _ in range(3)]
    content = settlement_bytes([settlement_line(payment) for payment in funds])

    try:
        settlement_import(
            provider=Provider.SANDBOX, name="s.csv", content=content, actor=staff["other_officer"].user, run_now=True
        )
    except Exception:  # noqa: BLE001, S110 — refused outright is as good as settling nothing
        pass

    assert not Settlement.objects.exists()
    assert Payment.objects.unsettled().count() == 3
