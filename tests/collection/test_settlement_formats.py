"""The card acquirer's and First Iraqi Bank's settlement files: every outcome, bad rows, outlet slips
typed wrong, whose file it is, and the command for each provider."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from collection import services
from collection.constants import Method, PaymentStatus, Provider, SettlementStatus
from collection.models import Discrepancy, MerchantAccount, Payment, Settlement, SettlementFile
from collection.reconciliation import SETTLEMENT_FORMATS, error_messages, settlement_import
from collection.reconciliation.formats.acquirer import BAGHDAD
from collection.selectors import discrepancies
from tests.collection.conftest import PaymentFactory, outcomes_by_line, settlement_bytes, settlement_line
from tests.factories import OutletFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_settlements")]

MID, OTHER_MID, FIB_ACCOUNT = "100200300400500", "900800700600500", "IHF-FIB-0001"
ACQUIRER_COLUMNS = SETTLEMENT_FORMATS[Provider.ACQUIRER]
FIB_COLUMNS = SETTLEMENT_FORMATS[Provider.FIB]
NONE = {outcome: 0 for outcome in ["matched", "amount_mismatch", "unknown", "status_mismatch", "duplicate"]}
NONE |= {"other_entity": 0, "missing": 0}


@pytest.fixture
def accounts(recon: dict[str, Any]) -> dict[str, MerchantAccount]:
    """The Fund's merchant accounts with the acquirer and FIB; another entity's with the acquirer."""
    return {
        "acquirer": MerchantAccount.objects.create(provider=Provider.ACQUIRER, account_id=MID, entity=recon["fund"]),
        "fib": MerchantAccount.objects.create(provider=Provider.FIB, account_id=FIB_ACCOUNT, entity=recon["fund"]),
        "other": MerchantAccount.objects.create(
            provider=Provider.ACQUIRER, account_id=OTHER_MID, entity=recon["other"]
        ),
    }


_rrns = iter(range(612_000_000_001, 612_999_999_999))


def slip_payment(entity: Any, *, terminal: str = "T-0042", **fields: Any) -> Payment:
    """An outlet card payment as the cashier recorded its slip (three days ago, unless told)."""
    rrn = fields.pop("rrn", str(next(_rrns)))
    outlet = OutletFactory(entity=entity)
    return PaymentFactory.create(
        collecting_entity=entity, method=Method.OUTLET_CARD, provider=Provider.OUTLET, outlet=outlet,
        terminal_id=terminal, rrn=rrn, provider_ref=rrn, approval_code="A1B2C3", **fields,
    )  # fmt: skip


def acquirer_line(payment: Payment | None, **changes: Any) -> dict[str, str]:
    """A line of the acquirer's report for ``payment``'s slip (or made up), with ``changes``."""
    when = (payment.succeeded_at if payment and payment.succeeded_at else timezone.now()).astimezone(BAGHDAD)
    amount = changes.pop("amount", payment.amount if payment else 10_000)
    fee = amount * 8 // 1000
    row = {
        "merchant_id": MID,
        "terminal_id": payment.terminal_id if payment else "T-0042",
        "rrn": payment.rrn if payment else "699999999999",
        "approval_code": "A1B2C3",
        "card_number": "627260******4242",
        "amount": str(amount),
        "fee": str(fee),
        "net_amount": str(amount - fee),
        "transaction_time": when.strftime("%Y-%m-%d %H:%M:%S"),
        "settlement_date": (when.date() + dt.timedelta(days=1)).isoformat(),
        "type": "sale",
    }
    return row | {key: str(value) for key, value in changes.items()}


def fib_payment(entity: Any, **fields: Any) -> Payment:
    """A payment through First Iraqi Bank, known there by its paymentId (our provider_ref)."""
    return PaymentFactory.create(
        collecting_entity=entity, provider=Provider.FIB, provider_ref=str(uuid.uuid4()), card_last4="", **fields
    )


def fib_line(payment: Payment | None, **changes: Any) -> dict[str, str]:
    when = (payment.succeeded_at if payment and payment.succeeded_at else timezone.now()).astimezone(dt.UTC)
    row = {
        "accountId": FIB_ACCOUNT,
        "paymentId": payment.provider_ref if payment else "9b2c1f7e-0000-4000-8000-000000000000",
        "status": "PAID",
        "amount.amount": str(payment.amount if payment else 10_000),
        "amount.currency": "IQD",
        "paidAt": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "paidBy.name": "علي حسين",
        "paidBy.iban": "IQ98FIQB004085190310001",
    }
    return row | {key: str(value) for key, value in changes.items()}


def content(provider: str, rows: list[dict[str, str]]) -> bytes:
    return settlement_bytes(rows, columns=SETTLEMENT_FORMATS[provider])


def reconcile(provider: str, rows: list[dict[str, str]], **kwargs: Any) -> SettlementFile:
    return settlement_import(
        provider=provider, name=f"{provider}.csv", content=content(provider, rows), run_now=True, **kwargs
    )


# --- Every outcome, for each provider -------------------------------------------------------


@pytest.fixture
def slips(recon: dict[str, Any], accounts: Any) -> dict[str, Payment]:
    now = timezone.now()
    fund, other = recon["fund"], recon["other"]
    return {
        "matched": slip_payment(fund),
        "short": slip_payment(fund, amount=75_000),
        "failed": slip_payment(fund, failed=True),
        "refunded_by_acquirer": slip_payment(fund),
        "twice": slip_payment(fund),
        "settled_before": slip_payment(fund),
        "elec": slip_payment(other),
        "online": PaymentFactory.create(collecting_entity=fund),  # paid online: no acquirer line can settle it
        "missing": slip_payment(fund, succeeded_at=now - dt.timedelta(days=10)),
        "missing_elec": slip_payment(other, succeeded_at=now - dt.timedelta(days=10)),
    }


def _acquirer_outcomes(recon: dict[str, Any], slips: dict[str, Payment]) -> None:
    p = slips
    first = reconcile(Provider.ACQUIRER, [acquirer_line(p["settled_before"])])
    # The Fund's old slip is missing from the first file (reported once); ELEC's is none of its business.
    assert first.counts["missing"] == 1
    assert Discrepancy.objects.get(kind="missing", file=first).payment == p["missing"]
    settlement = reconcile(
        Provider.ACQUIRER,
        [
            acquirer_line(p["matched"]),  # 2
            acquirer_line(p["short"], amount=57_000),  # 3: the cashier's slip says 75,000
            acquirer_line(p["matched"], rrn="612999999990"),  # 4: an RRN no slip has
            acquirer_line(p["failed"]),  # 5
            acquirer_line(p["refunded_by_acquirer"], type="refund"),  # 6: never settles
            acquirer_line(p["twice"]),  # 7
            acquirer_line(p["twice"]),  # 8: the same line again
            acquirer_line(p["settled_before"]),  # 9: an earlier file settled it
            acquirer_line(p["elec"]),  # 10: another entity's slip
            acquirer_line(p["online"], terminal_id="T-0042", rrn="612888888888"),  # 11
        ],
    )
    assert settlement.status == SettlementStatus.DONE
    assert (settlement.entity, settlement.account) == (recon["fund"], MID)
    assert outcomes_by_line(settlement) == {
        2: "matched",
        3: "amount_mismatch",
        4: "unknown",
        5: "status_mismatch",
        6: "status_mismatch",
        7: "matched",
        8: "duplicate",
        9: "duplicate",
        10: "other_entity",
        11: "unknown",
    }
    assert settlement.counts == NONE | {
        "matched": 2,
        "amount_mismatch": 1,
        "unknown": 2,
        "status_mismatch": 2,
        "duplicate": 2,
        "other_entity": 1,
    }
    settled = set(Payment.objects.exclude(pk__in=Payment.objects.unsettled()).values_list("pk", flat=True))
    assert settled == {p[k].pk for k in ("matched", "twice", "settled_before")}
    # Every line that settled nothing is in front of the Fund's staff, none in front of ELEC's.
    found = Discrepancy.objects.filter(file=settlement)
    assert set(found.values_list("collecting_entity", flat=True)) == {recon["fund"].pk}
    elec_line = found.get(kind="other_entity")
    assert (elec_line.payment, elec_line.expected_amount, elec_line.row.payment_ref) == (
        None,
        None,
        f"T-0042/{p['elec'].rrn}",
    )
    assert found.get(kind="amount_mismatch").reported_amount == 57_000
    assert found.get(row__line=3).row.card_last4 == "4242"


def test_every_outcome_of_the_acquirers_report(recon, slips):
    _acquirer_outcomes(recon, slips)


@pytest.mark.postgres
def test_every_outcome_of_the_acquirers_report_on_postgresql(recon, slips, caplog):
    _acquirer_outcomes(recon, slips)
    assert "copied and checked in the database" in caplog.text  # the fast path, as for the sandbox


@pytest.fixture
def fib_payments(recon: dict[str, Any], accounts: Any) -> dict[str, Payment]:
    now = timezone.now()
    fund, other = recon["fund"], recon["other"]
    return {
        "matched": fib_payment(fund),
        "refunded": fib_payment(fund, status=PaymentStatus.REFUNDED, refunded_amount=50_000),
        "short": fib_payment(fund, amount=80_000),
        "failed": fib_payment(fund, failed=True),
        "twice": fib_payment(fund),
        "settled_before": fib_payment(fund),
        "elec": fib_payment(other),
        # Paid through the sandbox, whose reference happens to look like FIB's: not FIB's to settle.
        "sandbox": PaymentFactory.create(collecting_entity=fund, provider_ref=str(uuid.uuid4())),
        "missing": fib_payment(fund, succeeded_at=now - dt.timedelta(days=10)),
    }


def _fib_outcomes(recon: dict[str, Any], fib_payments: dict[str, Payment]) -> SettlementFile:
    p = fib_payments
    assert reconcile(Provider.FIB, [fib_line(p["settled_before"])]).counts["missing"] == 1
    settlement = reconcile(
        Provider.FIB,
        [
            fib_line(p["matched"]),  # 2
            fib_line(p["refunded"], status="REFUNDED"),  # 3: paid, then refunded
            fib_line(p["short"], **{"amount.amount": 8_000}),  # 4
            fib_line(p["short"], paymentId="ffffffff-0000-4000-8000-00000000dead"),  # 5
            fib_line(p["failed"]),  # 6
            fib_line(p["twice"]),  # 7
            fib_line(p["twice"]),  # 8
            fib_line(p["settled_before"]),  # 9
            fib_line(p["elec"]),  # 10
            fib_line(p["sandbox"]),  # 11
            fib_line(p["matched"], **{"amount.currency": "USD", "paymentId": p["short"].provider_ref}),  # 12
        ],
    )
    assert settlement.status == SettlementStatus.DONE, settlement.errors
    assert outcomes_by_line(settlement) == {
        2: "matched",
        3: "matched",
        4: "amount_mismatch",
        5: "unknown",
        6: "status_mismatch",
        7: "matched",
        8: "duplicate",
        9: "duplicate",
        10: "other_entity",
        11: "unknown",
        12: "duplicate",  # the same payment as line 4
    }
    assert settlement.counts == NONE | {
        "matched": 3,
        "amount_mismatch": 1,
        "unknown": 2,
        "status_mismatch": 1,
        "duplicate": 3,
        "other_entity": 1,
    }
    settled = set(Payment.objects.exclude(pk__in=Payment.objects.unsettled()).values_list("pk", flat=True))
    assert settled == {p[k].pk for k in ("matched", "refunded", "twice", "settled_before")}
    assert Settlement.objects.get(payment=p["matched"]).fee == 0  # FIB's API states no fee
    return settlement


def test_every_outcome_of_first_iraqi_banks_report(recon, fib_payments):
    _fib_outcomes(recon, fib_payments)


@pytest.mark.postgres
def test_every_outcome_of_first_iraqi_banks_report_on_postgresql(recon, fib_payments):
    _fib_outcomes(recon, fib_payments)


# --- Bad rows -------------------------------------------------------------------------------


def test_a_bad_acquirer_line_refuses_the_file_naming_each_line_and_keeps_nothing(recon, slips):
    p = slips
    rows = [
        acquirer_line(p["matched"]),
        acquirer_line(p["short"], rrn="61234", card_number="6272601234564242"),  # 3
        acquirer_line(p["twice"], net_amount="1", type="void"),  # 4
        acquirer_line(p["failed"], merchant_id=OTHER_MID),  # 5: another account in the same file
        acquirer_line(p["elec"], transaction_time="2026-11-20T10:31:07+03:00", settlement_date="2020-01-01"),  # 6
    ]
    settlement = reconcile(Provider.ACQUIRER, rows)
    assert settlement.status == SettlementStatus.FAILED
    assert {error["line"]: error["codes"] for error in settlement.errors} == {
        3: ["rrn", "card_number"],
        4: ["net_amount", "type"],
        5: ["merchant_id"],
        6: ["transaction_time"],
    }
    messages = dict(error_messages(settlement.errors))
    assert MID in messages[5][0]
    assert not Settlement.objects.exists() and not Discrepancy.objects.exists()


def test_a_fib_report_of_unpaid_payments_is_refused_with_its_lines(recon, fib_payments):
    rows = [
        fib_line(fib_payments["matched"]),
        fib_line(fib_payments["failed"], status="DECLINED"),
        fib_line(fib_payments["short"], paidAt="2026-11-20 10:31:07", **{"paidBy.iban": "GB00"}),
    ]
    settlement = reconcile(Provider.FIB, rows)
    assert settlement.status == SettlementStatus.FAILED
    assert {error["line"]: error["codes"] for error in settlement.errors} == {
        3: ["fib_status"],
        4: ["paidAt", "paidBy.iban"],
    }
    assert not Settlement.objects.exists()


def test_a_file_of_a_merchant_account_nobody_has_is_refused_before_it_is_stored(recon, accounts, slips):
    with pytest.raises(ValidationError) as refused:
        reconcile(Provider.ACQUIRER, [acquirer_line(slips["matched"], merchant_id="111111111111111")])
    assert refused.value.code == "account"
    assert not SettlementFile.objects.exists()


# --- Outlet slips typed wrong at the counter -----------------------------------------------


SLIP = {"terminal_id": "T-0042", "approval_code": "A1B2C3", "card_last4": "4242"}


def test_a_cashier_typing_a_wrong_rrn_puts_the_acquirers_line_in_front_of_the_funds_staff(world, settings):
    MerchantAccount.objects.create(provider=Provider.ACQUIRER, account_id=MID, entity=world["fund"])
    pay = services.outlet_payment_record
    typed_right = pay(
        cashier=world["cashier"], outlet=world["outlet"], payer=world["citizen"], obligations=[world["bills"][0]],
        slip=services.CardSlip(rrn="612345678901", **SLIP),
    )  # fmt: skip
    typo = pay(
        cashier=world["cashier"], outlet=world["outlet"], payer=world["citizen"], obligations=[world["bills"][1]],
        slip=services.CardSlip(rrn="612345678912", **SLIP),  # the slip printed …921
    )  # fmt: skip
    report = [acquirer_line(typed_right), acquirer_line(typo, rrn="612345678921")]

    settlement = reconcile(Provider.ACQUIRER, report, actor=world["officer"])

    assert outcomes_by_line(settlement) == {2: "matched", 3: "unknown"}
    assert Payment.objects.unsettled().get() == typo
    seen = discrepancies(world["officer"]).get()
    assert (seen.kind, seen.row.payment_ref, seen.reported_amount) == ("unknown", "T-0042/612345678921", 100_000)
    assert not discrepancies(world["other_officer"]).exists()
    # Once the window has passed, the slip typed wrong is missing from the acquirer's reports too.
    Payment.objects.filter(pk=typo.pk).update(succeeded_at=timezone.now() - dt.timedelta(days=10))
    later = reconcile(Provider.ACQUIRER, [acquirer_line(typed_right, rrn="612345678999")], actor=world["officer"])
    assert later.counts["missing"] == 1
    assert Discrepancy.objects.get(kind="missing").payment == typo


def test_a_slip_on_the_wrong_terminal_or_for_the_wrong_amount_is_a_discrepancy(recon, accounts):
    wrong_terminal = slip_payment(recon["fund"], terminal="T-0042")
    wrong_amount = slip_payment(recon["fund"], amount=100_000)
    settlement = reconcile(
        Provider.ACQUIRER,
        [acquirer_line(wrong_terminal, terminal_id="T-0043"), acquirer_line(wrong_amount, amount=10_000)],
    )
    assert outcomes_by_line(settlement) == {2: "unknown", 3: "amount_mismatch"}
    assert not Settlement.objects.exists()


# --- Whose file it is ---------------------------------------------------------------------


def test_an_officer_of_another_entity_cannot_import_the_funds_acquirer_report(recon, staff, accounts, slips):
    with pytest.raises(ValidationError) as refused:
        reconcile(Provider.ACQUIRER, [acquirer_line(slips["matched"])], actor=staff["other_officer"].user)
    assert refused.value.code == "other_entity"
    assert not SettlementFile.objects.exists()
    assert not Settlement.objects.exists()
    # The Fund's own officer may.
    settlement = reconcile(Provider.ACQUIRER, [acquirer_line(slips["matched"])], actor=staff["officer"].user)
    assert settlement.counts["matched"] == 1


def test_an_entitys_own_acquirer_report_settles_none_of_the_funds_slips(recon, staff, accounts, slips):
    """ELEC's officer imports ELEC's report, which (wrongly) lists the Fund's slips."""
    rows = [acquirer_line(slips[key], merchant_id=OTHER_MID) for key in ("matched", "twice")]
    settlement = reconcile(Provider.ACQUIRER, rows, actor=staff["other_officer"].user)
    assert settlement.entity == recon["other"]
    assert settlement.counts == NONE | {"other_entity": 2, "missing": 1}  # ELEC's old slip
    assert not Settlement.objects.exists()
    assert set(Discrepancy.objects.values_list("collecting_entity", flat=True)) == {recon["other"].pk}
    assert Discrepancy.objects.filter(payment__collecting_entity=recon["fund"]).count() == 0


def test_a_sandbox_file_imported_by_one_entitys_officer_settles_only_its_payments(recon, staff):
    fund, elec = PaymentFactory(collecting_entity=recon["fund"]), PaymentFactory(collecting_entity=recon["other"])
    settlement = settlement_import(
        provider=Provider.SANDBOX,
        name="s.csv",
        content=settlement_bytes([settlement_line(fund), settlement_line(elec)]),
        actor=staff["officer"].user,
        run_now=True,
    )
    assert settlement.entity == recon["fund"]
    assert outcomes_by_line(settlement) == {2: "matched", 3: "other_entity"}
    assert list(Payment.objects.unsettled()) == [elec]


# --- The command ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", [Provider.ACQUIRER, Provider.FIB, Provider.SANDBOX])
def test_the_command_imports_each_providers_file(recon, accounts, tmp_path, capsys, provider):
    entity = recon["fund"]
    line = {
        Provider.ACQUIRER: lambda: acquirer_line(slip_payment(entity)),
        Provider.FIB: lambda: fib_line(fib_payment(entity)),
        Provider.SANDBOX: lambda: settlement_line(PaymentFactory(collecting_entity=entity)),
    }[provider]
    path = tmp_path / f"{provider}.csv"
    path.write_bytes(content(provider, [line(), line()]))

    call_command("import_settlement", "--provider", provider, str(path), "--json")

    assert json.loads(capsys.readouterr().out) == NONE | {"matched": 2}
    assert SettlementFile.objects.get().entity == (None if provider == Provider.SANDBOX else entity)


def test_the_command_refuses_a_bad_acquirer_file_listing_its_lines(recon, accounts, slips, tmp_path, capsys):
    path = tmp_path / "acquirer.csv"
    path.write_bytes(content(Provider.ACQUIRER, [acquirer_line(slips["matched"], rrn="12")]))
    with pytest.raises(CommandError):
        call_command("import_settlement", "--provider", "acquirer", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["errors"][0]["line"] == 2
    assert not SettlementFile.objects.exists()


def test_the_documented_header_of_each_format():
    """docs/OPERATIONS.md shows these headers: a change here is a change there."""
    assert ",".join(ACQUIRER_COLUMNS) == (
        "merchant_id,terminal_id,rrn,approval_code,card_number,amount,fee,net_amount,transaction_time,"
        "settlement_date,type"
    )
    assert (
        ",".join(FIB_COLUMNS)
        == "accountId,paymentId,status,amount.amount,amount.currency,paidAt,paidBy.name,paidBy.iban"
    )
    docs = (Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    assert ",".join(ACQUIRER_COLUMNS) in docs and ",".join(FIB_COLUMNS) in docs
