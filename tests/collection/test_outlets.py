"""In-person card payments at an outlet, the receipt, and the day's closing report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collection import services
from collection.constants import Method, ObligationStatus, PaymentStatus
from collection.models import CashierAssignment, Obligation, Payment
from tests.collection.outlets_world import TerminalFactory
from tests.factories import MembershipFactory

SLIP = {"terminal_id": "T-0042", "approval_code": "A1B2C3", "rrn": "612345678901", "card_last4": "4242"}


def test_there_is_no_cash_method():
    assert {choice for choice, _label in Method.choices} == {"online_card", "outlet_card"}


def test_cashier_records_a_card_payment_and_prints_the_receipt(world, client):
    client.force_login(world["cashier"])
    page = client.get("/collection/outlet/", {"national_id": "199012345678"})
    assert page.status_code == 200 and world["bills"][0].reference in page.content.decode()
    response = client.post(
        "/collection/outlet/pay/", {"national_id": "199012345678", "bills": [world["bills"][0].pk], **SLIP}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.method, payment.status, payment.amount) == (Method.OUTLET_CARD, PaymentStatus.SUCCEEDED, 100_000)
    assert (payment.cashier, payment.terminal_id, payment.rrn) == (world["cashier"], "T-0042", "612345678901")
    assert Obligation.objects.get(pk=world["bills"][0].pk).status == ObligationStatus.PAID
    done = client.get(response["Location"])
    assert payment.receipt.serial in done.content.decode()
    pdf = client.get(f"/collection/receipts/{payment.receipt.pk}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_bad_slip_is_refused_with_the_input_kept_and_nothing_recorded(world, client):
    client.force_login(world["cashier"])
    response = client.post(
        "/collection/outlet/pay/",
        {"national_id": "199012345678", "bills": [world["bills"][0].pk], **SLIP, "rrn": "12ab", "approval_code": "A-1"},
    )
    assert response.status_code == 400
    assert 'value="12ab"' in response.content.decode()
    assert not Payment.objects.exists()


def test_only_cashiers_of_the_entity_use_the_counter(world, client):
    client.force_login(world["officer"])
    assert client.get("/collection/outlet/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.outlet_payment_record(
            cashier=world["officer"],
            outlet=world["outlet"],
            payer=world["citizen"],
            obligations=[world["bills"][0]],
            slip=services.CardSlip(**SLIP),
        )


def test_an_online_payment_under_way_is_cancelled_before_the_outlet_takes_the_bill(world):
    online = services.payment_start(
        payer=world["citizen"], lines=[services.Line(obligation=world["bills"][0], amount=100_000)]
    )
    services.outlet_payment_record(
        cashier=world["cashier"],
        outlet=world["outlet"],
        payer=world["citizen"],
        obligations=[world["bills"][0]],
        slip=services.CardSlip(**SLIP),
    )
    assert Payment.objects.get(pk=online.pk).status == PaymentStatus.CANCELLED
    assert Obligation.objects.get(pk=world["bills"][0].pk).amount_paid == 100_000


def test_an_already_paid_bill_cannot_be_paid_again(world):
    kwargs = {
        "cashier": world["cashier"],
        "outlet": world["outlet"],
        "payer": world["citizen"],
        "obligations": [world["bills"][0]],
        "slip": services.CardSlip(**SLIP),
    }
    services.outlet_payment_record(**kwargs)
    with pytest.raises(ValidationError) as caught:
        services.outlet_payment_record(**kwargs)
    assert caught.value.code == "not_payable"
    assert Payment.objects.count() == 1


def test_closing_report_totals_by_cashier_and_terminal(world, client):
    second_cashier = MembershipFactory(entity=world["fund"], role="outlet_cashier").user
    CashierAssignment.objects.create(outlet=world["outlet"], cashier=second_cashier)
    for terminal_id in ("T-1", "T-2"):
        TerminalFactory(outlet=world["outlet"], terminal_id=terminal_id)
    for cashier, bill, terminal in [
        (world["cashier"], world["bills"][0], "T-1"),
        (second_cashier, world["bills"][1], "T-2"),
    ]:
        services.outlet_payment_record(
            cashier=cashier,
            outlet=world["outlet"],
            payer=world["citizen"],
            obligations=[bill],
            slip=services.CardSlip(**{**SLIP, "terminal_id": terminal}),
        )
    client.force_login(world["cashier"])
    today = timezone.localdate().isoformat()
    page = client.get("/collection/outlet/closing/", {"outlet": world["outlet"].pk, "day": today})
    assert page.status_code == 200
    assert page.context["report"]["count"] == 2 and page.context["report"]["total"] == 200_000
    exported = client.get("/collection/outlet/closing/", {"outlet": world["outlet"].pk, "day": today, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[1:4] for row in rows[1:3]) == [["T-1", "1", "100000"], ["T-2", "1", "100000"]]
    assert rows[-1][2:4] == ["2", "200000"]
