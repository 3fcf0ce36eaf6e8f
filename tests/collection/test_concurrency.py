"""Concurrent webhooks, double clicks and cashiers on PostgreSQL: one credit, one payment,
gapless receipt serials."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from collection import services
from collection.models import Obligation, Payment, PaymentEvent, Receipt, SandboxCharge, SandboxRefund
from collection.providers import sandbox
from govportal.audit.models import AuditEvent
from tests.collection.payments_world import event, post_event
from tests.factories import CitizenProfileFactory, bill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads released at the same instant; each has its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_a_hundred_copies_of_one_webhook_credit_once(world):
    payment = services.payment_start(
        payer=world["citizen"], lines=[services.Line(obligation=b, amount=b.remaining) for b in world["bills"]]
    )
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    body = event(payment.payment_ref, payment.amount, event_id="evt_concurrent")

    def deliver(_i: int) -> list[int]:
        client = Client()
        return [post_event(client, body).status_code for _copy in range(2)]  # 50 clients × 2 copies

    results, errors = run_together(50, deliver)
    assert not errors
    assert sorted(code for pair in results for code in pair) == [200] * 100
    assert PaymentEvent.objects.filter(event_id="evt_concurrent").count() == 1
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert sum(Obligation.objects.values_list("amount_paid", flat=True)) == payment.amount
    assert Receipt.objects.count() == 1
    assert AuditEvent.objects.filter(action="payment_succeed").count() == 1


def test_twenty_simultaneous_clicks_on_pay_make_one_payment(world):
    lines = [services.Line(obligation=b, amount=b.remaining) for b in world["bills"]]
    results, errors = run_together(20, lambda _i: services.payment_start(payer=world["citizen"], lines=lines).pk)
    assert not errors
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1


def test_thirty_cashiers_at_once_get_gapless_receipt_serials(world):
    citizens = [CitizenProfileFactory().user for _ in range(30)]
    bills = [bill(citizen, world["fund"], 10_000) for citizen in citizens]
    slip = services.CardSlip(terminal_id="T-0042", approval_code="AB12", rrn="123456789012", card_last4="4242")

    def pay(i: int) -> str:
        payment = services.outlet_payment_record(
            cashier=world["cashier"], outlet=world["outlet"], payer=citizens[i], obligations=[bills[i]], slip=slip
        )
        return payment.receipt.serial

    serials, errors = run_together(30, pay)
    assert not errors
    assert sorted(int(serial.rsplit("-", 1)[1]) for serial in serials) == list(range(1, 31))


def test_refunds_at_once_never_together_exceed_the_payment(world):
    """Ten officers refund 30,000 each of a 200,000 payment at once, while the provider has not yet
    confirmed any (delayed refunds): six are reserved, four refused; none is lost or applied twice."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from collection.constants import RefundStatus
    from collection.models import Refund
    from tests.collection.payments_world import paid

    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)

    def refund(_i: int) -> str | None:
        try:
            done = services.refund_create(
                payment=payment, amount=30_000, reason="error", note="paid twice", actor=world["officer"]
            )
        except ValidationError as error:
            return error.error_dict["amount"][0].code
        return done.status

    results, errors = run_together(10, refund)
    assert not errors
    assert sorted(results) == ["above_remaining"] * 4 + [RefundStatus.PENDING] * 6
    assert Refund.objects.pending().pending_total() == 180_000
    assert SandboxRefund.objects.count() == 6
    later = timezone.now() + dt.timedelta(minutes=5)
    results, errors = run_together(3, lambda _i: services.refunds_pending_sync(now=later))  # three beat runs at once
    assert not errors
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.status) == (180_000, "partially_refunded")
    assert sum(Obligation.objects.values_list("amount_paid", flat=True)) == 20_000
    assert AuditEvent.objects.filter(action="payment_refund").count() == 6


def test_two_whole_refunds_at_once_give_back_the_payment_once(world):
    from django.core.exceptions import ValidationError

    from tests.collection.payments_world import paid

    payment = paid(world)

    def refund(_i: int) -> str | None:
        try:
            return services.refund_create(
                payment=payment, amount=200_000, reason="error", note="paid twice", actor=world["officer"]
            ).status
        except ValidationError as error:
            return error.error_dict["amount"][0].code

    results, errors = run_together(2, refund)
    assert not errors
    assert sorted(results) == ["above_remaining", "succeeded"]
    assert SandboxCharge.objects.get(pk=payment.provider_ref).refunded == 200_000
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 200_000
