"""The First Iraqi Bank adapter against a stub bank on a real local socket."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from collection import services
from collection.constants import DiscrepancyKind, EventOutcome, ObligationStatus, PaymentStatus, Purpose, RefundStatus
from collection.models import Discrepancy, Obligation, Payment, PaymentEvent, Receipt, Refund
from collection.providers import ProviderError, get_provider
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from tests.collection.fib_stub import PAYMENTS_PATH, FibStub, fib_stub_fixture  # noqa: F401 - a fixture
from tests.factories import EntityFactory, MembershipFactory, UserFactory

AMOUNT = 250_000
WEBHOOK = "/collection/webhooks/fib/"


@pytest.fixture(autouse=True)
def _quick_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # accounts, quickly


@pytest.fixture
def bill(db: Any) -> Obligation:
    return services.obligation_create(
        payer=UserFactory(),
        collecting_entity=EntityFactory(code="HSF"),
        purpose=Purpose.HOUSING_INSTALLMENT,
        reference="HL-2026-0007",
        amount=AMOUNT,
        due_date=dt.date(2026, 12, 1),
    )


def start(bill: Obligation, *, base_url: str = "http://testserver") -> Payment:
    return services.payment_start(
        payer=bill.payer, lines=[services.Line(obligation=bill, amount=bill.amount)], provider="fib", base_url=base_url
    )


def payer_client(bill: Obligation) -> Client:
    client = Client()
    client.force_login(bill.payer)
    return client


def callback(client: Client, body: bytes, capture: Any) -> dict[str, Any]:
    """FIB posts its callback; the event is processed after commit, as in production."""
    with capture(execute=True):
        response = client.post(WEBHOOK, data=body, content_type="application/json")
    assert response.status_code == 200, response.content
    return dict(response.json())


def credited(bill: Obligation) -> int:
    return Obligation.objects.get(pk=bill.pk).amount_paid


# --- the access token ---------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    provider = get_provider("fib")
    provider.fetch_status(payment)
    provider.fetch_status(payment)
    assert fib_stub.token_requests == 1
    assert [path for _method, path in fib_stub.calls].count(f"{PAYMENTS_PATH}/{payment.provider_ref}/status") == 2


def test_the_token_is_fetched_again_after_it_expires(fib_stub: FibStub, bill: Obligation) -> None:
    fib_stub.token_lifetime = 1
    payment = start(bill)
    time.sleep(1.2)
    assert get_provider("fib").fetch_status(payment).state == PaymentStatus.PENDING
    assert fib_stub.token_requests == 2


def test_a_token_the_bank_no_longer_accepts_is_replaced_once(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    fib_stub.revoke_tokens()
    assert get_provider("fib").fetch_status(payment).state == PaymentStatus.PENDING
    assert fib_stub.token_requests == 2
    status_calls = [call for call in fib_stub.calls if call[1].endswith("/status")]
    assert len(status_calls) == 2  # the refused one and the retry


def test_wrong_credentials_are_a_provider_error(fib_stub: FibStub, bill: Obligation, settings: Any) -> None:
    settings.FIB_CLIENT_SECRET = "not-the-secret"
    with pytest.raises(ValidationError) as raised:
        start(bill)
    assert raised.value.code == "provider_unavailable"
    assert fib_stub.payments == {}


# --- paying ---------------------------------------------------------------------------------


def test_the_payer_sees_the_fib_code_on_our_checkout_page(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    assert payment.status == PaymentStatus.PENDING
    at_bank = fib_stub.payments[payment.provider_ref]
    assert at_bank.body["monetaryValue"] == {"amount": AMOUNT, "currency": "IQD"}
    assert at_bank.callback_url == f"http://testserver{WEBHOOK}"
    assert at_bank.body["redirectUri"] == f"http://testserver/collection/payments/{payment.pk}/return/"
    assert payment.checkout_url == reverse("collection:fib_checkout", args=[payment.pk])

    response = payer_client(bill).get(payment.checkout_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert at_bank.readable_code in page
    assert 'src="data:image/png;base64,' in page
    assert f"https://personal.stub.fib.iq/pay/{payment.provider_ref}" in page
    assert 'http-equiv="refresh"' not in page  # a timed reload only when the payer asks for one


def test_the_payer_can_ask_the_page_to_check_by_itself(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    client = payer_client(bill)
    watching = client.get(f"{payment.checkout_url}?watch=1").content.decode()
    assert '<meta http-equiv="refresh" content="10">' in watching
    fib_stub.pay(payment.provider_ref)
    cache.clear()  # the reload comes after the few seconds a reload waits before asking the bank again
    response = client.get(f"{payment.checkout_url}?watch=1")
    assert response.status_code == 302
    assert response["Location"] == reverse("collection:payment_return", args=[payment.pk])
    assert credited(bill) == AMOUNT


def test_another_citizen_cannot_open_the_checkout_page(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(payment.checkout_url).status_code == 404


def test_the_checkout_page_moves_on_once_the_bank_says_paid(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    client = payer_client(bill)
    assert client.get(payment.checkout_url).status_code == 200
    fib_stub.pay(payment.provider_ref)
    response = client.post(payment.checkout_url)  # "I have paid: check now"
    assert response.status_code == 302
    assert response["Location"] == reverse("collection:payment_return", args=[payment.pk])
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert credited(bill) == AMOUNT


def test_a_paid_callback_credits_the_bill_once_with_a_receipt(
    fib_stub: FibStub, bill: Obligation, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = start(bill)
    fib_stub.pay(payment.provider_ref)
    body = fib_stub.callback_body(payment.provider_ref)

    assert callback(client, body, django_capture_on_commit_callbacks) == {"received": True, "duplicate": False}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert Receipt.objects.filter(payment=payment).count() == 1
    assert credited(bill) == AMOUNT
    assert Obligation.objects.get(pk=bill.pk).status == ObligationStatus.PAID

    assert callback(client, body, django_capture_on_commit_callbacks) == {"received": True, "duplicate": True}
    assert credited(bill) == AMOUNT
    assert PaymentEvent.objects.get(provider="fib").outcome == EventOutcome.APPLIED
    assert AuditEvent.objects.filter(action="payment_succeed").count() == 1


def test_a_forged_paid_callback_credits_nothing(
    fib_stub: FibStub, bill: Obligation, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = start(bill)
    forged = fib_stub.callback_body(payment.provider_ref, status="PAID")  # the bank still says UNPAID

    callback(client, forged, django_capture_on_commit_callbacks)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert credited(bill) == 0
    assert not Receipt.objects.exists()
    assert PaymentEvent.objects.get(provider="fib").outcome == EventOutcome.IGNORED

    # The real callback now repeats the forged event's id and is dropped as a copy; the
    # checkout page's own status check still credits the payment.
    fib_stub.pay(payment.provider_ref)
    assert callback(client, fib_stub.callback_body(payment.provider_ref), django_capture_on_commit_callbacks)[
        "duplicate"
    ]
    assert credited(bill) == 0
    payer_client(bill).post(payment.checkout_url)
    assert credited(bill) == AMOUNT


def test_a_callback_for_a_payment_we_do_not_know_changes_nothing(
    fib_stub: FibStub, bill: Obligation, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = start(bill)
    body = json.dumps({"id": "7b4a2f9e-0000-4000-8000-000000000000", "status": "PAID"}).encode()
    callback(client, body, django_capture_on_commit_callbacks)
    assert PaymentEvent.objects.get(provider="fib").note == "no such payment"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"status": "PAID"}',
        b'{"id": "abc", "status": "ALMOST_PAID"}',
        b'{"id": "../../etc", "status": "PAID"}',
        b'{"id": 12345, "status": "PAID"}',
        b'{"type": "payment.succeeded", "data": {"payment_ref": "P1", "amount": 1, "currency": "IQD"}}',
    ],
)
def test_a_body_that_is_not_a_fib_callback_is_rejected(fib_stub: FibStub, db: Any, client: Client, body: bytes) -> None:
    response = client.post(WEBHOOK, data=body, content_type="application/json")
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("SERVER_FAILURE", PaymentStatus.FAILED),
        ("PAYMENT_EXPIRATION", PaymentStatus.EXPIRED),
        ("PAYMENT_CANCELLATION", PaymentStatus.CANCELLED),
    ],
)
def test_a_declined_payment_is_closed_without_credit(
    fib_stub: FibStub,
    bill: Obligation,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    reason: str,
    status: str,
) -> None:
    payment = start(bill)
    fib_stub.decline(payment.provider_ref, reason)
    callback(client, fib_stub.callback_body(payment.provider_ref), django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    assert payment.status == status
    assert payment.failure_reason == reason.lower()
    assert credited(bill) == 0
    assert not Receipt.objects.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("outage", ["refused", "503"])
def test_a_bank_that_is_down_fails_the_payment_and_tells_the_payer(
    fib_stub: FibStub, bill: Obligation, settings: Any, outage: str
) -> None:
    if outage == "refused":
        settings.FIB_BASE_URL = f"http://127.0.0.1:{_closed_port()}"
    else:
        fib_stub.failing = 503
    with pytest.raises(ValidationError) as raised:
        start(bill)
    assert raised.value.code == "provider_unavailable"
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_reason == "provider_unavailable"
    assert Obligation.objects.get(pk=bill.pk).status == ObligationStatus.OPEN


def test_a_bank_that_does_not_answer_in_time_is_a_provider_error(bill: Obligation, settings: Any) -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.FIB_BASE_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.FIB_CLIENT_ID, settings.FIB_CLIENT_SECRET, settings.FIB_TIMEOUT = "id", "secret", 1
        started = time.monotonic()
        with pytest.raises(ValidationError) as raised:
            start(bill)
    assert raised.value.code == "provider_unavailable"
    assert time.monotonic() - started < 5


def test_the_bank_refusing_a_request_is_a_provider_error_with_its_reason(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    del fib_stub.payments[payment.provider_ref]
    with pytest.raises(ProviderError, match="PAYMENT_NOT_FOUND"):
        get_provider("fib").fetch_status(payment)


# --- cancelling and expiry --------------------------------------------------------------------


def test_the_payer_cancels_and_the_bank_cancels_too(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    response = payer_client(bill).post(reverse("collection:payment_cancel", args=[payment.pk]))
    assert response.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELLED
    at_bank = fib_stub.payments[payment.provider_ref]
    assert (at_bank.status, at_bank.declining_reason) == ("DECLINED", "PAYMENT_CANCELLATION")


def test_cancelling_a_payment_the_bank_already_took_counts_it(fib_stub: FibStub, bill: Obligation) -> None:
    payment = start(bill)
    fib_stub.pay(payment.provider_ref)
    payment = services.payment_cancel(payment=payment, actor=bill.payer)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert credited(bill) == AMOUNT


def test_an_unpaid_payment_is_cancelled_at_the_bank_and_expired_after_30_minutes(
    fib_stub: FibStub, bill: Obligation
) -> None:
    payment = start(bill)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=31))
    assert services.payments_expire() == {"settled": 0, "expired": 1, "unreachable": 0}
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.EXPIRED
    assert fib_stub.payments[payment.provider_ref].declining_reason == "PAYMENT_CANCELLATION"


# --- refunds --------------------------------------------------------------------------------


@pytest.fixture
def paid(fib_stub: FibStub, bill: Obligation) -> Payment:
    payment = start(bill)
    fib_stub.pay(payment.provider_ref)
    return services.payment_sync(payment=payment)


def fund_officer(payment: Payment) -> Any:
    return MembershipFactory(entity=payment.collecting_entity, role=Role.FUND_OFFICER).user


def test_a_whole_payment_is_refunded_at_the_bank_once_it_confirms(
    fib_stub: FibStub, bill: Obligation, paid: Payment
) -> None:
    """FIB accepts a refund (REFUND_REQUESTED) and does it later (REFUNDED): pending until then."""
    assert paid.status == PaymentStatus.SUCCEEDED
    officer = fund_officer(paid)
    refund = services.refund_create(payment=paid, amount=AMOUNT, reason="error", note="Paid twice", actor=officer)
    assert (refund.status, refund.provider_ref) == (RefundStatus.PENDING, paid.provider_ref)
    assert fib_stub.payments[paid.provider_ref].status == "REFUND_REQUESTED"
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (PaymentStatus.SUCCEEDED, 0)
    assert credited(bill) == AMOUNT  # nothing taken off the bill before the bank confirms
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.refunds_pending_sync(now=later) == {RefundStatus.PENDING: 1}  # still requested
    fib_stub.refund_done(paid.provider_ref)
    assert services.refunds_pending_sync(now=later) == {RefundStatus.SUCCEEDED: 1}
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (PaymentStatus.REFUNDED, AMOUNT)
    assert credited(bill) == 0
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    posts = [path for method, path in fib_stub.calls if method == "POST" and path.endswith("/refund")]
    assert len(posts) == 1  # asked once; afterwards only its status


def test_a_refund_the_bank_refuses_is_failed_and_flagged(fib_stub: FibStub, bill: Obligation, paid: Payment) -> None:
    fib_stub.refuse_refunds = True
    refund = services.refund_create(
        payment=paid, amount=AMOUNT, reason="error", note="Paid twice", actor=fund_officer(paid)
    )
    assert refund.status == RefundStatus.FAILED
    assert "REFUND_PERIOD_EXPIRED" in refund.failure_reason
    assert Payment.objects.get(pk=paid.pk).status == PaymentStatus.SUCCEEDED
    assert credited(bill) == AMOUNT
    assert Discrepancy.objects.get(payment=paid).kind == DiscrepancyKind.REFUND_FAILED
    # Nothing is held back: the officer may try again once the cause is fixed.
    fib_stub.refuse_refunds = False
    again = services.refund_create(
        payment=paid, amount=AMOUNT, reason="error", note="Second try", actor=fund_officer(paid)
    )
    assert again.status == RefundStatus.PENDING


def test_a_refund_sent_while_the_bank_is_down_is_pending_then_confirmed(
    fib_stub: FibStub, bill: Obligation, paid: Payment
) -> None:
    fib_stub.failing = 503
    refund = services.refund_create(
        payment=paid, amount=AMOUNT, reason="error", note="Paid twice", actor=fund_officer(paid)
    )
    assert refund.status == RefundStatus.PENDING
    assert fib_stub.payments[paid.provider_ref].status == "PAID"  # the bank never got it
    fib_stub.failing = None
    later = timezone.now() + dt.timedelta(minutes=5)
    assert services.refunds_pending_sync(now=later) == {RefundStatus.PENDING: 1}  # asked again, same refund
    assert fib_stub.payments[paid.provider_ref].status == "REFUND_REQUESTED"
    fib_stub.refund_done(paid.provider_ref)
    services.refunds_pending_sync(now=later)
    assert Payment.objects.get(pk=paid.pk).status == PaymentStatus.REFUNDED
    assert credited(bill) == 0


def test_the_banks_refund_callback_is_checked_against_our_refunds(
    fib_stub: FibStub, bill: Obligation, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ours = start(bill)
    fib_stub.pay(ours.provider_ref)
    ours = services.payment_sync(payment=ours)
    services.refund_create(payment=ours, amount=AMOUNT, reason="error", note="Paid twice", actor=fund_officer(ours))
    callback(client, fib_stub.callback_body(ours.provider_ref), django_capture_on_commit_callbacks)
    assert PaymentEvent.objects.get(payment_ref=ours.provider_ref).outcome == EventOutcome.IGNORED

    # A refund made at the bank, not through the portal, goes to staff.
    second = services.obligation_create(
        payer=bill.payer,
        collecting_entity=bill.collecting_entity,
        purpose=Purpose.OTHER,
        reference="FEE-2",
        amount=5_000,
        due_date=dt.date(2026, 12, 1),
    )
    theirs = start(second)
    fib_stub.pay(theirs.provider_ref)
    theirs = services.payment_sync(payment=theirs)
    fib_stub.payments[theirs.provider_ref].status = "REFUNDED"
    callback(client, fib_stub.callback_body(theirs.provider_ref), django_capture_on_commit_callbacks)
    assert PaymentEvent.objects.get(payment_ref=theirs.provider_ref).outcome == EventOutcome.FLAGGED
    assert Discrepancy.objects.get(payment=theirs).kind == DiscrepancyKind.WEBHOOK_MISMATCH
    assert Payment.objects.get(pk=theirs.pk).status == PaymentStatus.SUCCEEDED  # staff decide


def test_a_partial_refund_is_refused_before_reaching_the_bank(
    fib_stub: FibStub, bill: Obligation, paid: Payment
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.refund_create(
            payment=paid, amount=50_000, reason="error", note="Overcharged", actor=fund_officer(paid)
        )
    assert raised.value.error_dict["amount"][0].code == "whole_only"
    assert f"{AMOUNT:,}" in raised.value.error_dict["amount"][0].message  # "refund all 250,000 dinars"
    assert not Refund.objects.exists()
    assert Payment.objects.get(pk=paid.pk).status == PaymentStatus.SUCCEEDED
    assert credited(bill) == AMOUNT
    assert not any(path.endswith("/refund") for _method, path in fib_stub.calls)
    assert fib_stub.payments[paid.provider_ref].status == "PAID"


# --- the whole round trip over HTTP -----------------------------------------------------------


def test_the_bank_posts_its_callback_to_our_running_server(
    fib_stub: FibStub, transactional_db: Any, live_server: Any
) -> None:
    bill = services.obligation_create(
        payer=UserFactory(),
        collecting_entity=EntityFactory(code="ELE"),
        purpose=Purpose.ELECTRICITY,
        reference="EL-77",
        amount=42_000,
        due_date=dt.date(2026, 12, 1),
    )
    payment = start(bill, base_url=live_server.url)
    assert fib_stub.payments[payment.provider_ref].callback_url == f"{live_server.url}{WEBHOOK}"
    fib_stub.pay(payment.provider_ref)

    response = fib_stub.callback_post(payment.provider_ref)

    assert response.status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert credited(bill) == 42_000
    assert Receipt.objects.filter(payment=payment).exists()


# --- how the page looks --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_checkout_page_has_no_wcag_violations(
    fib_stub: FibStub, transactional_db: Any, live_server: Any, page: Any, settings: Any, language: str
) -> None:
    from tests.e2e.conftest import SCREENS
    from tests.e2e.test_accessibility import wcag_reports

    bill = services.obligation_create(
        payer=UserFactory(),
        collecting_entity=EntityFactory(name_ar="صندوق الإسكان", name_en="Housing Fund"),
        purpose=Purpose.HOUSING_INSTALLMENT,
        reference="HL-2026-0099",
        amount=AMOUNT,
        due_date=dt.date(2026, 12, 1),
    )
    payment = start(bill, base_url=live_server.url)
    session = payer_client(bill).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {"name": session.key, "value": session.value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page.goto(payment.checkout_url)
    assert fib_stub.payments[payment.provider_ref].readable_code in page.content()

    def screenshot(name: str) -> None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    reports = wcag_reports(page, screenshot, f"fib-checkout-{language}")
    assert not reports, "\n".join(reports)
