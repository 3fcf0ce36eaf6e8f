import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from collection.models import Settlement
from collection.reconciliation import settlement_import
from tests.collection.conftest import PaymentFactory, outcomes_by_line, settlement_bytes, settlement_line

ROWS_ONLY = ("collection", "0004_settlement_by_row")
SETTLEMENTS = ("collection", "0005_settlement_of_payment")


@pytest.mark.django_db(transaction=True)
def test_migration_0005_moves_matched_rows_to_settlements_and_back(recon):
    paid, short = PaymentFactory(), PaymentFactory(amount=75_000)
    lines = [settlement_line(paid), settlement_line(short, amount=74_000)]
    settlement = settlement_import(provider="sandbox", name="s.csv", content=settlement_bytes(lines), run_now=True)
    executor = MigrationExecutor(connection)
    executor.migrate([ROWS_ONLY])  # back: every line a row again, the matched one rebuilt from its payment

    rows = executor.loader.project_state([ROWS_ONLY]).apps.get_model("collection", "SettlementRow").objects
    assert dict(rows.filter(file_id=settlement.pk).values_list("line", "outcome")) == {
        2: "matched",
        3: "amount_mismatch",
    }
    matched = rows.get(outcome="matched")
    assert (matched.payment_id, matched.payment_ref, matched.amount, matched.fee) == (
        paid.pk,
        paid.payment_ref,
        paid.amount,
        int(lines[0]["fee"]),
    )

    executor.loader.build_graph()
    executor.migrate([SETTLEMENTS])  # forward again: the matched row is the payment's settlement
    assert outcomes_by_line(settlement) == {2: "matched", 3: "amount_mismatch"}
    assert (Settlement.objects.get(payment=paid).line, Settlement.objects.count()) == (2, 1)
