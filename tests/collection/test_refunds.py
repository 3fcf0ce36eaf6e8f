"""Refunds that mean what they say: the reason decides what happens to the bills; the officer checks
what will happen before confirming; the provider is asked outside the lock, so a refund is pending,
refused (failed and flagged) or done, never lost and never applied twice; the receipt follows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from collection import services
from collection.constants import DiscrepancyKind, ObligationStatus, PaymentStatus, RefundReason, RefundStatus
from collection.models import Discrepancy, Obligation, Payment, PaymentEvent, Refund, SandboxCharge, SandboxRefund
from collection.providers import sandbox
from govportal.audit.models import AuditEvent
from govportal.verification.constants import ArtifactStatus
from tests.collection.payments_world import event, paid, post_event

REDUCED, ERROR = RefundReason.REDUCED, RefundReason.ERROR


def refund(world, payment, amount, reason=ERROR, note="دُفع الرسم مرتين"):
    return services.refund_create(payment=payment, amount=amount, reason=reason, note=note, actor=world["officer"])


def bill_state(obligation):
    obligation = Obligation.objects.get(pk=obligation.pk)
    return obligation.amount, obligation.amount_paid, obligation.status


def later():
    """When the periodic check runs: after the few minutes a first request is left to finish."""
    return timezone.now() + dt.timedelta(minutes=5)


def english_date(day):
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


# --- what each reason does to the bills ----------------------------------------------------------


def test_taken_in_error_reopens_the_latest_due_bill_first(world):
    first_due, last_due = world["bills"]
    payment = paid(world)
    done = refund(world, payment, 30_000)
    assert done.status == RefundStatus.SUCCEEDED
    payment.refresh_from_db()
    assert (payment.status, payment.refundable) == (PaymentStatus.PARTIALLY_REFUNDED, 170_000)
    assert bill_state(last_due) == (100_000, 70_000, ObligationStatus.PARTIALLY_PAID)  # due again: 30,000
    assert bill_state(first_due) == (100_000, 100_000, ObligationStatus.PAID)
    with pytest.raises(ValidationError) as caught:
        refund(world, payment, 170_001)
    assert caught.value.error_dict["amount"][0].code == "above_remaining"
    refund(world, payment, 170_000)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert SandboxCharge.objects.get(pk=payment.provider_ref).refunded == 200_000
    assert payment.receipt.artifact.status == ArtifactStatus.REVOKED
    assert [bill_state(b)[1:] for b in world["bills"]] == [(0, ObligationStatus.OPEN)] * 2


def test_reduced_lowers_the_bill_which_stays_paid_and_is_not_offered_again(world, client):
    first_due, last_due = world["bills"]
    payment = paid(world)
    refund(world, payment, 30_000, reason=REDUCED, note="خُفّض الرسم بقرار المدير")
    assert bill_state(last_due) == (70_000, 70_000, ObligationStatus.PAID)
    assert bill_state(first_due) == (100_000, 100_000, ObligationStatus.PAID)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PARTIALLY_REFUNDED
    # The citizen's list offers nothing to pay, and neither does the outlet counter.
    client.force_login(world["citizen"])
    page = client.get("/collection/").content.decode()
    assert f'value="{last_due.pk}"' not in page and f'value="{first_due.pk}"' not in page
    client.force_login(world["cashier"])
    counter = client.get("/collection/outlet/", {"national_id": "199012345678"}).content.decode()
    assert last_due.reference not in counter and 'name="bills"' not in counter


def test_a_bill_given_back_whole_for_reduced_is_waived(world):
    first_due, last_due = world["bills"]
    payment = paid(world)
    refund(world, payment, 130_000, reason=REDUCED)
    assert bill_state(last_due) == (100_000, 0, ObligationStatus.WAIVED)  # what was billed stays on record
    assert bill_state(first_due) == (70_000, 70_000, ObligationStatus.PAID)
    assert not Obligation.objects.payable().exists()
    audited = AuditEvent.objects.get(action="payment_refund").data["bills"]
    assert audited == [
        {"reference": last_due.reference, "take": 100_000, "outcome": "waived"},
        {"reference": first_due.reference, "take": 30_000, "outcome": "reduced"},
    ]


def test_error_after_reduced_reopens_what_remains_of_the_reduced_bill(world):
    _first_due, last_due = world["bills"]
    payment = paid(world)
    refund(world, payment, 30_000, reason=REDUCED)
    refund(world, payment, 20_000, reason=ERROR)
    assert bill_state(last_due) == (70_000, 50_000, ObligationStatus.PARTIALLY_PAID)


def test_a_note_is_required_and_a_reason_must_be_one_of_the_two(world):
    payment = paid(world)
    with pytest.raises(ValidationError) as caught:
        services.refund_create(payment=payment, amount=1_000, reason="other", note=" ", actor=world["officer"])
    assert set(caught.value.error_dict) == {"reason", "note"}
    assert not Refund.objects.exists()


# --- the officer's pages: the form, the check, the confirmation ----------------------------------------


def test_the_check_page_says_what_will_happen_to_each_bill_and_the_receipt(world, client):
    first_due, last_due = world["bills"]
    payment = paid(world)
    in_english(client).force_login(world["officer"])
    form = client.get(f"/collection/staff/payments/{payment.pk}/refund/")
    assert form.status_code == 200 and 'value="200000"' in form.content.decode()
    data = {"amount": "150000", "reason": "reduced", "note": "Fee lowered by the director"}
    page = client.post(f"/collection/staff/payments/{payment.pk}/refund/", data)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Check the refund before you send it" in text
    assert f"Bill <bdi>{last_due.reference}</bdi> is waived" in text
    assert (
        f"Bill <bdi>{first_due.reference}</bdi>: the amount due goes from <bdi>100,000 IQD</bdi> to "
        "<bdi>50,000 IQD</bdi>, and the bill stays paid."
    ) in text
    today = english_date(timezone.localdate())
    assert f"Partially refunded <bdi>150,000</bdi> IQD on {today}." in text
    assert "This cannot be undone." in text and "No, go back" in text
    assert not Refund.objects.exists()  # nothing sent before the confirmation

    error = client.post(f"/collection/staff/payments/{payment.pk}/refund/", data | {"reason": "error"})
    assert (
        f"Bill <bdi>{last_due.reference}</bdi> reopens: <bdi>100,000 IQD</bdi> will be due again"
        in error.content.decode()
    )
    whole = client.post(f"/collection/staff/payments/{payment.pk}/refund/", data | {"amount": "200000"})
    assert f"Receipt <bdi>{payment.receipt.serial}</bdi> is revoked" in whole.content.decode()

    done = client.post(f"/collection/staff/payments/{payment.pk}/refund/confirm/", data)
    assert done.status_code == 302
    assert bill_state(last_due)[2] == ObligationStatus.WAIVED
    assert list(
        AuditEvent.objects.filter(action__in=["refund_request", "payment_refund"])
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "refund_request",
        "payment_refund",
    ]
    shown = client.get(done["Location"]).content.decode()
    assert "150,000 IQD refunded on payment" in shown
    assert "Fee lowered by the director" in shown


def test_the_form_keeps_the_input_on_errors_and_change_brings_it_back(world, client):
    payment = paid(world)
    client.force_login(world["officer"])
    url = f"/collection/staff/payments/{payment.pk}/refund/"
    response = client.post(url, {"amount": "999999", "reason": "error", "note": "مبلغ خاطئ"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'value="999999"' in html and "مبلغ خاطئ" in html
    assert re.search(r'<input[^>]*value="error"[^>]*checked', html)  # the reason chosen stays chosen
    back = client.post(url, {"amount": "5000", "reason": "reduced", "note": "تخفيض", "change": "1"})
    assert back.status_code == 200 and 'value="5000"' in back.content.decode()
    assert 'class="error-summary"' not in back.content.decode()
    assert not Refund.objects.exists()


def test_every_problem_is_shown_at_once(world, client):
    payment = paid(world)
    in_english(client).force_login(world["officer"])
    response = client.post(f"/collection/staff/payments/{payment.pk}/refund/", {"amount": "999999"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"amount", "reason", "note"}
    assert errors["amount"] == ["At most 200,000 dinars remain to refund."]


def test_a_loan_installment_cannot_be_reduced_by_a_refund(world, client):
    from collection.constants import Purpose

    installment = world["bills"][1]
    Obligation.objects.filter(pk=installment.pk).update(purpose=Purpose.HOUSING_INSTALLMENT)
    payment = paid(world)
    in_english(client).force_login(world["officer"])
    url = f"/collection/staff/payments/{payment.pk}/refund/"
    response = client.post(url, {"amount": "50000", "reason": "reduced", "note": "x"})
    assert response.status_code == 400
    assert "A loan installment&#x27;s amount is set by the loan&#x27;s schedule" in response.content.decode()
    with pytest.raises(ValidationError) as caught:
        refund(world, payment, 50_000, reason=REDUCED)
    assert caught.value.error_dict["reason"][0].code == "installment_not_reduced"
    assert not Refund.objects.exists()


def test_the_refund_pages_are_for_fund_officers_of_the_entity(world, client):
    payment = paid(world)
    client.force_login(world["other_officer"])
    assert client.get(f"/collection/staff/payments/{payment.pk}/refund/").status_code == 404
    client.force_login(world["cashier"])
    assert client.get(f"/collection/staff/payments/{payment.pk}/refund/").status_code == 404
    client.force_login(world["citizen"])
    response = client.post(
        f"/collection/staff/payments/{payment.pk}/refund/confirm/", {"amount": "1", "reason": "error", "note": "x"}
    )
    assert response.status_code == 404
    assert not Refund.objects.exists()


# --- the provider: refused, no answer, confirmed later, never twice ---------------------------------


def test_a_refused_refund_is_failed_and_flagged_and_changes_nothing(world, client):
    payment = paid(world, card=sandbox.CARD_REFUND_REFUSED)
    done = refund(world, payment, 50_000)
    assert (done.status, done.failure_reason) == (RefundStatus.FAILED, "refund_declined")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.SUCCEEDED, 0)
    assert [bill_state(b)[2] for b in world["bills"]] == [ObligationStatus.PAID] * 2
    assert payment.receipt.artifact.notes == [] and payment.receipt.artifact.status == ArtifactStatus.VALID
    assert Discrepancy.objects.get(payment=payment).kind == DiscrepancyKind.REFUND_FAILED
    assert AuditEvent.objects.filter(action="refund_fail").count() == 1
    in_english(client).force_login(world["officer"])
    page = client.get(f"/collection/staff/payments/{payment.pk}/").content.decode()
    assert "The payment service refused a refund of <bdi>50,000 IQD</bdi>" in page
    assert "Open the discrepancy to record what was done" in page
    listed = client.get("/collection/staff/refunds/").content.decode()
    assert payment.payment_ref in listed and "Refused by the provider" in listed
    assert services.refund_remaining(payment) == 200_000  # a refused refund holds nothing back


def test_a_delayed_refund_is_pending_until_the_provider_confirms_it(world, client):
    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    done = refund(world, payment, 50_000)
    assert done.status == RefundStatus.PENDING and done.provider_ref.startswith("re_")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert bill_state(world["bills"][1]) == (100_000, 100_000, ObligationStatus.PAID)
    assert services.refund_remaining(payment) == 150_000  # held while pending
    in_english(client).force_login(world["officer"])
    page = client.get(f"/collection/staff/payments/{payment.pk}/").content.decode()
    assert "is awaiting the payment service's confirmation" in page
    assert "Awaiting the provider" in client.get("/collection/staff/refunds/").content.decode()
    assert services.refunds_pending_sync() == {}  # too recent: its request may still be under way
    assert services.refunds_pending_sync(now=later()) == {RefundStatus.SUCCEEDED: 1}
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, 50_000)
    assert bill_state(world["bills"][1]) == (100_000, 50_000, ObligationStatus.PARTIALLY_PAID)
    assert services.refunds_pending_sync(now=later()) == {}


def test_a_refund_whose_answer_is_lost_is_found_and_applied_once(world):
    payment = paid(world, card=sandbox.CARD_REFUND_NO_ANSWER)
    done = refund(world, payment, 50_000)
    assert (done.status, done.provider_ref) == (RefundStatus.PENDING, "")
    assert SandboxRefund.objects.get(key=str(done.pk)).state == SandboxRefund.State.PENDING  # the company has it
    services.refunds_pending_sync(now=later())
    services.refunds_pending_sync(now=later())
    done.refresh_from_db()
    assert done.status == RefundStatus.SUCCEEDED and done.provider_ref.startswith("re_")
    assert SandboxRefund.objects.count() == 1  # asked about, never asked for twice
    assert SandboxCharge.objects.get(pk=payment.provider_ref).refunded == 50_000
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 50_000


def test_an_answer_applied_twice_counts_once(world):
    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    done = refund(world, payment, 50_000)
    answer = services.refund_sync(refund=done)
    assert answer.status == RefundStatus.SUCCEEDED
    from collection.providers import RefundAnswer

    again = services.refund_settle(refund=done, answer=RefundAnswer(state=RefundStatus.SUCCEEDED))
    assert again.status == RefundStatus.SUCCEEDED
    assert Payment.objects.get(pk=payment.pk).refunded_amount == 50_000
    assert AuditEvent.objects.filter(action="payment_refund").count() == 1


def test_the_providers_refund_notification_settles_a_pending_refund(world, client, django_capture_on_commit_callbacks):
    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    done = refund(world, payment, 50_000)
    sandbox.refund_look_up(key=str(done.pk))  # the company finishes it (and notifies us)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event(payment.payment_ref, 50_000, "payment.refunded", event_id="evt_refund"))
    done.refresh_from_db()
    assert done.status == RefundStatus.SUCCEEDED
    assert PaymentEvent.objects.get(event_id="evt_refund").outcome == "ignored"  # nothing unexplained
    assert not Discrepancy.objects.exists()


def test_a_refund_unconfirmed_for_a_day_goes_to_staff_once(world, monkeypatch):
    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    done = refund(world, payment, 50_000)
    monkeypatch.setattr(sandbox, "refund_look_up", lambda key: SandboxRefund.objects.get(key=key))  # stuck
    day_later = timezone.now() + dt.timedelta(hours=25)
    assert services.refunds_pending_sync(now=day_later) == {RefundStatus.PENDING: 1, "flagged": 1}
    assert services.refunds_pending_sync(now=day_later) == {RefundStatus.PENDING: 1}
    assert Discrepancy.objects.get(payment=payment).kind == DiscrepancyKind.REFUND_UNCONFIRMED
    assert Refund.objects.get(pk=done.pk).status == RefundStatus.PENDING


def test_the_periodic_task_runs_the_check(world):
    from collection.tasks import refunds_pending_sync

    paid_payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    done = refund(world, paid_payment, 50_000)
    Refund.objects.filter(pk=done.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert refunds_pending_sync.delay().get() == {RefundStatus.SUCCEEDED: 1}


def test_an_outlet_refund_is_done_at_once(world):
    slip = services.CardSlip(terminal_id="T-0042", approval_code="A1B2C3", rrn="612345678901", card_last4="4242")
    payment = services.outlet_payment_record(
        outlet=world["outlet"],
        cashier=world["cashier"],
        payer=world["citizen"],
        obligations=world["bills"][:1],
        slip=slip,
    )
    done = refund(world, payment, 100_000)
    assert done.status == RefundStatus.SUCCEEDED
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.REFUNDED


# --- the receipt's verify page ----------------------------------------------------------------------------


def test_verify_page_after_a_partial_then_a_full_refund(world, client):
    payment = paid(world)
    artifact = payment.receipt.artifact
    assert "panel--genuine" in client.get(artifact.path).content.decode()  # cached as valid
    refund(world, payment, 30_000)
    today = english_date(timezone.localdate())
    html = client.get(artifact.path).content.decode()  # Arabic, the default
    with translation.override("ar"):
        expected = gettext("Partially refunded %(amount)s IQD on %(date)s.") % {
            "amount": "<bdi>30,000</bdi>",
            "date": date_format(timezone.localdate(), "DATE_FORMAT"),
        }
        changed = gettext("This document is genuine, but it has changed since it was issued")
    assert expected in html and changed in html
    assert "panel--changed" in html and "panel--genuine" not in html
    english = in_english(client).get(artifact.path).content.decode()
    assert f"Partially refunded <bdi>30,000</bdi> IQD on {today}." in english
    assert "Valid, with changes" in english and ">Valid<" not in english
    scan = client.get(f"{artifact.path}/json").json()
    assert scan["changed"] is True and scan["notes"] == [f"Partially refunded 30,000 IQD on {today}."]
    lookup = client.get("/verify/", {"serial": payment.receipt.serial, "issued_on": timezone.localdate().isoformat()})
    assert "Partially refunded" in lookup.content.decode()

    refund(world, payment, 170_000)
    english = client.get(artifact.path).content.decode()
    assert "This document has been revoked" in english and "Payment refunded" in english
    assert client.get(f"{artifact.path}/json").json()["status"] == "revoked"


def test_a_pending_refund_changes_nothing_on_the_verify_page(world, client):
    payment = paid(world, card=sandbox.CARD_REFUND_DELAYED)
    refund(world, payment, 30_000)
    html = in_english(client).get(payment.receipt.artifact.path).content.decode()
    assert "This document is genuine" in html and "panel--genuine" in html
