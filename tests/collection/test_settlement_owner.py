"""A settlement file is its collecting entity's: another entity's officer cannot settle the Fund's payments."""

from __future__ import annotations

import pytest

from collection.constants import Provider
from collection.models import Discrepancy, Payment, Settlement
from collection.reconciliation import settlement_import
from tests.collection.conftest import PaymentFactory, settlement_bytes, settlement_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_settlements")]


def test_an_officer_of_another_entity_cannot_settle_the_funds_payments(recon, staff):
    funds = [PaymentFactory(collecting_entity=recon["fund"]) for _ in range(3)]
    content = settlement_bytes([settlement_line(payment) for payment in funds])

    settlement = settlement_import(
        provider=Provider.SANDBOX, name="s.csv", content=content, actor=staff["other_officer"].user, run_now=True
    )

    assert not Settlement.objects.exists()
    assert Payment.objects.unsettled().count() == 3
    # The file is the importer's entity's: each line is a discrepancy in front of its staff, not the Fund's.
    assert settlement.entity == recon["other"]
    assert settlement.counts["other_entity"] == 3
    found = Discrepancy.objects.filter(file=settlement)
    assert set(found.values_list("kind", "collecting_entity", "payment")) == {("other_entity", recon["other"].pk, None)}
