"""Migrations 0007-0009 keep existing outlets working: their state, the terminals their payments
were taken on, and the entity's cashiers, who could use any of its outlets until then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from collection.models import CashierAssignment, Outlet, Payment, Terminal
from govportal.accounts.constants import Role
from tests.collection.conftest import PaymentFactory
from tests.factories import EntityFactory, MembershipFactory

BEFORE = ("collection", "0006_discrepancy_keys_unchecked")
AFTER = ("collection", "0009_outlet_state_checked")


@pytest.mark.django_db(transaction=True)
def test_existing_outlets_keep_their_state_terminals_and_cashiers_and_back():
    fund = EntityFactory(code="IHF")
    cashier = MembershipFactory(entity=fund, role=Role.OUTLET_CASHIER).user
    MembershipFactory(entity=fund, role=Role.FUND_OFFICER)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    OldOutlet = old.get_model("collection", "Outlet")
    karkh = OldOutlet.objects.create(
        entity_id=fund.pk, code="IHF-BGD-01", name_ar="الكرخ", name_en="Karkh", address="بغداد، الكرخ"
    )
    mansour = OldOutlet.objects.create(entity_id=fund.pk, code="IHF-BGD-02", name_ar="المنصور", name_en="Mansour")
    OldOutlet.objects.create(entity_id=fund.pk, code="IHF-BGD-03", name_ar="قديم", name_en="Old", is_active=False)
    now = timezone.now()
    paid = [
        (karkh, "T-1", now - dt.timedelta(days=9)),
        (karkh, "T-1", now - dt.timedelta(days=8)),
        (karkh, "T-2", now - dt.timedelta(days=7)),
        (mansour, "T-2", now - dt.timedelta(days=1)),  # T-2 moved to Mansour: open there, closed at Karkh
    ]
    for outlet, terminal_id, at in paid:
        payment = PaymentFactory(collecting_entity=fund)
        Payment.objects.filter(pk=payment.pk).update(
            method="outlet_card",
            provider="outlet",
            outlet_id=outlet.pk,
            cashier=cashier,
            terminal_id=terminal_id,
            created_at=at,
        )

    executor.loader.build_graph()
    executor.migrate([AFTER])
    states = dict(Outlet.objects.values_list("code", "status"))
    assert states == {"IHF-BGD-01": "open", "IHF-BGD-02": "open", "IHF-BGD-03": "closed"}
    karkh_now = Outlet.objects.get(code="IHF-BGD-01")
    assert (karkh_now.address_ar, karkh_now.governorate, karkh_now.opens_at) == ("بغداد، الكرخ", "baghdad", dt.time(8))
    terminals = {(t.outlet.code, t.terminal_id): t.is_open for t in Terminal.objects.select_related("outlet")}
    assert terminals == {("IHF-BGD-01", "T-1"): True, ("IHF-BGD-01", "T-2"): False, ("IHF-BGD-02", "T-2"): True}
    assert Terminal.objects.get(outlet__code="IHF-BGD-01", terminal_id="T-1").created_at == paid[0][2]
    assigned = set(CashierAssignment.objects.values_list("outlet__code", "cashier"))
    assert assigned == {("IHF-BGD-01", cashier.pk), ("IHF-BGD-02", cashier.pk), ("IHF-BGD-03", cashier.pk)}
    assert set(Payment.objects.values_list("terminal_id", flat=True)) == {"T-1", "T-2"}  # untouched

    executor.loader.build_graph()
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    assert dict(old.get_model("collection", "Outlet").objects.values_list("code", "is_active")) == {
        "IHF-BGD-01": True,
        "IHF-BGD-02": True,
        "IHF-BGD-03": False,
    }
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
