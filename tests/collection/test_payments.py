"""Online payments through the sandbox: the state machine, one active payment per basket,
webhooks (signed, deduplicated, a hint confirmed by status), polling, expiry and refunds."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collection import services
from collection.constants import DiscrepancyKind, ObligationStatus, PaymentStatus
from collection.models import Discrepancy, IllegalTransition, Obligation, Payment, PaymentEvent, Receipt, SandboxCharge
from collection.providers import sandbox
from govportal.audit.models import AuditEvent
from tests.collection.payments_world import event, post_event

S = PaymentStatus
# Written out by hand from the issue, not derived from the code under test.
ALLOWED = {
    (S.CREATED, S.PENDING), (S.CREATED, S.FAILED), (S.CREATED, S.CANCELLED), (S.CREATED, S.EXPIRED),
    (S.PENDING, S.SUCCEEDED), (S.PENDING, S.FAILED), (S.PENDING, S.CANCELLED), (S.PENDING, S.EXPIRED),
    (S.SUCCEEDED, S.PARTIALLY_REFUNDED), (S.SUCCEEDED, S.REFUNDED),
    (S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED), (S.PARTIALLY_REFUNDED, S.REFUNDED),
}  # fmt: skip


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_state_machine_allows_exactly_the_listed_transitions(old, new):
    payment = Payment(status=old)
    if (old, new) in ALLOWED:
        payment.transition_to(new)
        assert payment.status == new
    else:
        with pytest.raises(IllegalTransition) as caught:
            payment.transition_to(new)
        assert caught.value.code == "illegal_transition"
        assert payment.status == old


def start(world, bills=None):
    bills = bills if bills is not None else world["bills"]
    return services.payment_start(
        payer=world["citizen"], lines=[services.Line(obligation=b, amount=b.remaining) for b in bills]
    )


def test_paying_the_same_bills_twice_gives_one_active_payment(world):
    first, second = start(world), start(world)
    assert first.pk == second.pk
    assert first.status == S.PENDING and first.checkout_url.startswith("/sandbox-gateway/pay/")
    assert Payment.objects.count() == 1 and SandboxCharge.objects.count() == 1


def test_a_bill_already_in_a_payment_under_way_is_refused_in_another(world):
    start(world)
    with pytest.raises(ValidationError) as caught:
        start(world, bills=world["bills"][:1])
    assert caught.value.code == "in_progress"
    assert Payment.objects.count() == 1


def test_amount_above_what_remains_is_refused_and_nothing_created(world):
    bill = world["bills"][0]
    with pytest.raises(ValidationError) as caught:
        services.payment_start(payer=world["citizen"], lines=[services.Line(obligation=bill, amount=bill.amount + 1)])
    assert caught.value.code == "amount"
    assert not Payment.objects.exists()


def test_someone_elses_bill_cannot_be_paid(world):
    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        services.payment_start(payer=UserFactory(), lines=[services.Line(obligation=world["bills"][0], amount=1)])


def test_success_webhook_credits_once_and_issues_a_receipt(world, client, django_capture_on_commit_callbacks):
    payment = start(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, event(payment.payment_ref, payment.amount))
    assert response.status_code == 200 and response.json() == {"received": True, "duplicate": False}
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED and payment.card_last4 == "1111"
    assert {b.status for b in Obligation.objects.all()} == {ObligationStatus.PAID}
    receipt = Receipt.objects.get(payment=payment)
    assert receipt.serial == f"IHF-RC-{timezone.now().year}-000001"
    with django_capture_on_commit_callbacks(execute=True):
        again = post_event(client, event(payment.payment_ref, payment.amount))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert sum(b.amount_paid for b in Obligation.objects.all()) == payment.amount
    assert AuditEvent.objects.filter(action="payment_succeed").count() == 1


def test_out_of_order_events_never_overwrite_the_outcome(world, client, django_capture_on_commit_callbacks):
    """A late "failed" arriving after success changes nothing; the provider's status decides."""
    payment = start(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event(payment.payment_ref, payment.amount, "payment.failed", event_id="evt_late_fail"))
        post_event(client, event(payment.payment_ref, payment.amount, event_id="evt_success"))
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    outcomes = dict(PaymentEvent.objects.values_list("event_id", "outcome"))
    assert outcomes == {"evt_late_fail": "applied", "evt_success": "ignored"}
    assert Receipt.objects.count() == 1


def test_a_forged_success_for_an_unpaid_payment_credits_nothing(world, client, django_capture_on_commit_callbacks):
    """Even correctly signed, an event is only a hint: the card page was never submitted."""
    payment = start(world)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event(payment.payment_ref, payment.amount))
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    assert not Receipt.objects.exists()


def test_bad_signature_is_rejected_and_nothing_stored(world, client):
    payment = start(world)
    response = post_event(client, event(payment.payment_ref, payment.amount), secret="not-the-secret-at-all")
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_tampered_body_is_rejected(world, client):
    """A signature made for one body does not pass for another."""
    payment = start(world)
    signed = json.dumps(event(payment.payment_ref, 1)).encode()
    tampered = json.dumps(event(payment.payment_ref, payment.amount)).encode()
    response = client.post(
        "/collection/webhooks/sandbox/",
        data=tampered,
        content_type="application/json",
        headers={"X-Signature": sandbox.signature_header(signed, secret="test-sandbox-secret-0123456789")},
    )
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_stale_timestamp_is_rejected(world, client):
    payment = start(world)
    response = post_event(client, event(payment.payment_ref, payment.amount), timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_success_with_the_wrong_amount_is_flagged_not_credited(world, client, django_capture_on_commit_callbacks):
    payment = start(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, event(payment.payment_ref, payment.amount - 1000))
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    assert Obligation.objects.filter(amount_paid=0).count() == 2
    flagged = Discrepancy.objects.get()
    assert flagged.kind == DiscrepancyKind.WEBHOOK_MISMATCH and flagged.payment == payment
    assert PaymentEvent.objects.get().outcome == "flagged"


def test_provider_reporting_another_amount_is_flagged(world):
    payment = start(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    SandboxCharge.objects.filter(pk=payment.provider_ref).update(amount=payment.amount + 5)
    payment = services.payment_sync(payment=payment)
    assert payment.status == S.PENDING
    assert Discrepancy.objects.filter(kind=DiscrepancyKind.WEBHOOK_MISMATCH, payment=payment).exists()


def test_the_card_that_sends_no_webhook_is_settled_by_polling(world, client):
    payment = start(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SILENT_SUCCESS)
    client.force_login(world["citizen"])
    response = client.get(f"/collection/payments/{payment.pk}/return/")
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == S.SUCCEEDED
    assert Receipt.objects.get(payment=payment).serial in response.content.decode()


def test_the_return_address_does_not_decide_the_outcome(world, client):
    payment = start(world)
    client.force_login(world["citizen"])
    response = client.get(f"/collection/payments/{payment.pk}/return/?status=succeeded&paid=1")
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    assert "?watch=1" in response.content.decode()  # waiting: the payer may ask for automatic checks


def test_declined_and_insufficient_funds_fail_the_payment(world):
    payment = start(world, bills=world["bills"][:1])
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_INSUFFICIENT_FUNDS)
    payment = services.payment_sync(payment=payment)
    assert payment.status == S.FAILED and payment.failure_reason == "insufficient_funds"
    retry = start(world, bills=world["bills"][:1])
    assert retry.pk != payment.pk and retry.status == S.PENDING
    sandbox.charge_pay(charge_id=retry.provider_ref, card_number=sandbox.CARD_DECLINED)
    assert services.payment_sync(payment=retry).status == S.FAILED
    assert Obligation.objects.get(pk=world["bills"][0].pk).amount_paid == 0


def test_expiry_sweep_cancels_unfinished_payments_and_settles_finished_ones(world):
    abandoned = start(world, bills=world["bills"][:1])
    silent = start(world, bills=world["bills"][1:])
    sandbox.charge_pay(charge_id=silent.provider_ref, card_number=sandbox.CARD_SILENT_SUCCESS)
    fresh = services.payment_start(
        payer=world["citizen"],
        lines=[services.Line(obligation=services.obligation_create(
            payer=world["citizen"], collecting_entity=world["fund"], purpose="other", reference="FRESH",
            amount=5000, due_date=dt.date.today()), amount=5000)],
    )  # fmt: skip
    Payment.objects.filter(pk__in=[abandoned.pk, silent.pk]).update(
        created_at=timezone.now() - dt.timedelta(minutes=31)
    )
    counts = services.payments_expire()
    assert counts == {"settled": 1, "expired": 1, "unreachable": 0}
    assert Payment.objects.get(pk=abandoned.pk).status == S.EXPIRED
    assert SandboxCharge.objects.get(pk=abandoned.provider_ref).state == SandboxCharge.State.CANCELLED
    assert Payment.objects.get(pk=silent.pk).status == S.SUCCEEDED
    assert Payment.objects.get(pk=fresh.pk).status == S.PENDING
    # A card submitted after expiry is refused by the gateway: the charge is closed.
    sandbox.charge_pay(charge_id=abandoned.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    assert SandboxCharge.objects.get(pk=abandoned.provider_ref).state == SandboxCharge.State.CANCELLED


def paid(world, bills=None):
    payment = start(world, bills)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    return services.payment_sync(payment=payment)


def test_only_a_fund_officer_of_the_collecting_entity_refunds(world):
    payment = paid(world)
    for actor in (world["cashier"], world["other_officer"], world["citizen"]):
        with pytest.raises(PermissionDenied):
            services.refund_create(payment=payment, amount=1, reason="error", note="x", actor=actor)
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 0


def test_staff_of_another_entity_get_404(world, client):
    payment = paid(world)
    client.force_login(world["other_officer"])
    assert client.get(f"/collection/staff/payments/{payment.pk}/").status_code == 404
    assert client.get(f"/collection/receipts/{payment.receipt.pk}.pdf").status_code == 404


def test_citizen_downloads_their_receipt_and_no_one_elses(world, client):
    from tests.factories import CitizenProfileFactory

    payment = paid(world)
    client.force_login(world["citizen"])
    response = client.get(f"/collection/receipts/{payment.receipt.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(CitizenProfileFactory().user)
    assert client.get(f"/collection/receipts/{payment.receipt.pk}.pdf").status_code == 404
    assert client.get(f"/collection/payments/{payment.pk}/").status_code == 404


def test_payer_cancels_an_unfinished_payment(world, client):
    payment = start(world)
    client.force_login(world["citizen"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/collection/payments/{payment.pk}/cancel/"
    assert f'href="{url}"' in client.get(f"/collection/payments/{payment.pk}/").content.decode()
    page = client.get(url).content.decode()  # first, what cancelling does
    assert f"Cancel payment <bdi>{payment.payment_ref}</bdi>?" in page
    assert "If you have already paid, in your bank's app or on the card page, do not cancel" in page
    assert "Your bills stay unpaid; you can pay them again at once from your bills." in page
    assert "A cancelled payment cannot be restarted." in page
    assert Payment.objects.get(pk=payment.pk).status == S.PENDING
    response = client.post(url)
    assert response.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == S.CANCELLED
    assert SandboxCharge.objects.get(pk=payment.provider_ref).state == SandboxCharge.State.CANCELLED
    assert start(world).pk != payment.pk  # the bills are free to pay again


def test_the_citizen_account_page_leads_to_the_bills(world, client):
    client.force_login(world["citizen"])
    page = client.get("/me/").content.decode()
    assert 'href="/collection/"' in page and 'href="/collection/payments/"' in page
    assert client.get("/collection/").context["payable"].count() == 2
