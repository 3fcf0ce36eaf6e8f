"""The built-in sandbox: an adapter, and the gateway it talks to (which plays the e-payment
company: hosted card page, signed webhooks, daily settlement CSV).

Webhook contract: body ``{"id": "evt_…", "type": "payment.succeeded" | "payment.failed" |
"payment.refunded", "created": <unix>, "data": {"payment_ref", "amount", "currency": "IQD"}}``,
header ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from collection.constants import CURRENCY, PaymentStatus, RefundStatus
from collection.models import SandboxCharge, SandboxRefund
from collection.providers.base import (
    Checkout,
    ProviderError,
    ProviderStatus,
    RefundAnswer,
    WebhookEvent,
    WebhookRejected,
)
from govportal.api.signature import signature_header as signature_header  # re-exported: tests, bench
from govportal.api.signature import signature_problem
from govportal.tasks import enqueue

if TYPE_CHECKING:
    from collection.models import Payment

# Test cards: number → (outcome, reason, sends webhooks).
CARD_SUCCEEDS = "4111111111111111"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_SILENT_SUCCESS = "4000000000000119"
# These pay like CARD_SUCCEEDS; their refunds are refused, stay pending until asked again, or get
# no answer (the company records the refund but the reply is lost: a timeout), respectively.
CARD_REFUND_REFUSED = "4000000000005126"
CARD_REFUND_DELAYED = "4000000000007726"
CARD_REFUND_NO_ANSWER = "4000000000000101"
TEST_CARDS: dict[str, tuple[str, str, bool]] = {
    CARD_SUCCEEDS: (SandboxCharge.State.SUCCEEDED, "", True),
    CARD_DECLINED: (SandboxCharge.State.DECLINED, "card_declined", True),
    CARD_INSUFFICIENT_FUNDS: (SandboxCharge.State.DECLINED, "insufficient_funds", True),
    CARD_SILENT_SUCCESS: (SandboxCharge.State.SUCCEEDED, "", False),
    CARD_REFUND_REFUSED: (SandboxCharge.State.SUCCEEDED, "", True),
    CARD_REFUND_DELAYED: (SandboxCharge.State.SUCCEEDED, "", True),
    CARD_REFUND_NO_ANSWER: (SandboxCharge.State.SUCCEEDED, "", True),
}
REFUNDS_REFUSED, REFUNDS_DELAYED, REFUNDS_NO_ANSWER = "refused", "delayed", "no_answer"
REFUND_BEHAVIOUR = {
    CARD_REFUND_REFUSED: REFUNDS_REFUSED,
    CARD_REFUND_DELAYED: REFUNDS_DELAYED,
    CARD_REFUND_NO_ANSWER: REFUNDS_NO_ANSWER,
}
SETTLEMENT_COLUMNS = ["txn_id", "payment_ref", "amount", "currency", "status", "settled_at", "card_last4", "fee"]
FEE_PER_MILLE = 5  # the sandbox company keeps 0.5%

_REFUND_STATES = {
    SandboxRefund.State.PENDING: RefundStatus.PENDING,
    SandboxRefund.State.SUCCEEDED: RefundStatus.SUCCEEDED,
    SandboxRefund.State.REFUSED: RefundStatus.FAILED,
}
_STATE_TO_STATUS = {
    SandboxCharge.State.OPEN: PaymentStatus.PENDING,
    SandboxCharge.State.SUCCEEDED: PaymentStatus.SUCCEEDED,
    SandboxCharge.State.DECLINED: PaymentStatus.FAILED,
    SandboxCharge.State.CANCELLED: PaymentStatus.CANCELLED,
}


def signature_check(body: bytes, header: str, *, secret: str, tolerance: int, now: float | None = None) -> None:
    """Raise ``WebhookRejected`` unless ``header`` signs ``body`` with ``secret`` within ``tolerance`` s."""
    problem = signature_problem(body, header, secret=secret, tolerance=tolerance, now=now)
    if problem:
        raise WebhookRejected(problem)


class SandboxProvider:
    name = "sandbox"
    events_carry_payment_ref = True
    partial_refunds = True

    def create_checkout(self, payment: Payment, *, return_url: str) -> Checkout:
        charge = charge_open(
            payment_ref=payment.payment_ref,
            amount=payment.amount,
            merchant=payment.collecting_entity.name_ar,
            return_url=return_url,
        )
        return Checkout(redirect_url=reverse("sandbox:pay", args=[charge.id]), provider_ref=charge.id)

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        signature_check(
            body,
            headers.get("X-Signature", ""),
            secret=settings.PAYMENT_SANDBOX_SECRET,
            tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE,
        )
        try:
            payload = json.loads(body)
            data = payload["data"]
            return WebhookEvent(
                event_id=str(payload["id"]),
                kind=str(payload["type"]),
                payment_ref=str(data["payment_ref"]),
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                payload=payload,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("body is not a sandbox event") from error

    def fetch_status(self, payment: Payment) -> ProviderStatus:
        charge = SandboxCharge.objects.filter(payment_ref=payment.payment_ref).first()
        if charge is None:
            raise ProviderError(f"sandbox has no charge for {payment.payment_ref}")
        return _status(charge)

    def cancel(self, payment: Payment) -> ProviderStatus:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(payment_ref=payment.payment_ref).first()
            if charge is None:
                raise ProviderError(f"sandbox has no charge for {payment.payment_ref}")
            if charge.state == SandboxCharge.State.OPEN:
                charge.state, charge.completed_at = SandboxCharge.State.CANCELLED, timezone.now()
                charge.save(update_fields=["state", "completed_at"])
            return _status(charge)

    def refund(self, payment: Payment, *, amount: int, key: str) -> RefundAnswer:
        record = refund_request(payment_ref=payment.payment_ref, amount=amount, key=key)
        if record.charge.refunds_behave == REFUNDS_NO_ANSWER and record.state == SandboxRefund.State.PENDING:
            # The company has the refund (committed above) but its reply never arrives.
            raise ProviderError("the sandbox company did not answer the refund request (test card)")
        return _refund_answer(record)

    def refund_status(self, payment: Payment, *, key: str, provider_ref: str) -> RefundAnswer | None:
        record = refund_look_up(key=key)
        return None if record is None else _refund_answer(record)

    def settlement_file(self, day: dt.date) -> bytes | None:
        content = settlement_csv(day)
        return None if content.count(b"\n") <= 1 else content  # only the header: nothing settled that day


def _refund_answer(record: SandboxRefund) -> RefundAnswer:
    return RefundAnswer(
        state=_REFUND_STATES[SandboxRefund.State(record.state)], provider_ref=record.id, reason=record.reason
    )


def _status(charge: SandboxCharge) -> ProviderStatus:
    return ProviderStatus(
        state=_STATE_TO_STATUS[SandboxCharge.State(charge.state)],
        amount=charge.amount,
        currency=charge.currency,
        provider_ref=charge.id,
        refunded=charge.refunded,
        reason=charge.decline_reason,
        card_last4=charge.card_last4,
    )


# --- The gateway's side ----------------------------------------------------------------


def charge_open(*, payment_ref: str, amount: int, merchant: str, return_url: str) -> SandboxCharge:
    charge, _created = SandboxCharge.objects.get_or_create(
        payment_ref=payment_ref,
        defaults={
            "id": f"txn_{secrets.token_hex(10)}",
            "amount": amount,
            "merchant": merchant,
            "return_url": return_url,
            "fee": amount * FEE_PER_MILLE // 1000,
        },
    )
    return charge


@transaction.atomic
def charge_pay(*, charge_id: str, card_number: str) -> SandboxCharge:
    """The card holder submits the card: decide by test card; unknown cards are declined."""
    charge = SandboxCharge.objects.select_for_update().get(pk=charge_id)
    if charge.state != SandboxCharge.State.OPEN:
        return charge
    state, reason, notify = TEST_CARDS.get(card_number, (SandboxCharge.State.DECLINED, "card_declined", True))
    charge.state, charge.decline_reason, charge.send_webhooks = state, reason, notify
    charge.card_last4, charge.completed_at = card_number[-4:], timezone.now()
    charge.refunds_behave = REFUND_BEHAVIOUR.get(card_number, "")
    charge.save(
        update_fields=["state", "decline_reason", "send_webhooks", "card_last4", "completed_at", "refunds_behave"]
    )
    if notify:
        kind = "payment.succeeded" if state == SandboxCharge.State.SUCCEEDED else "payment.failed"
        webhook_send(charge, kind, amount=charge.amount)
    return charge


@transaction.atomic
def refund_request(*, payment_ref: str, amount: int, key: str) -> SandboxRefund:
    """The merchant asks for a refund. Once per idempotency key: asking again returns the same
    refund. Refused when the charge did not succeed or the amount is above what remains; otherwise
    as the card paid with says (refused, delayed, no answer), done at once by default."""
    known = SandboxRefund.objects.select_related("charge").filter(key=key).first()
    if known is not None:
        return known
    charge = SandboxCharge.objects.select_for_update().filter(payment_ref=payment_ref).first()
    if charge is None:
        raise ProviderError(f"sandbox has no charge for {payment_ref}")
    held = charge.refund_records.filter(state=SandboxRefund.State.PENDING).aggregate(total=Sum("amount"))["total"]
    record = SandboxRefund(id=f"re_{secrets.token_hex(8)}", charge=charge, key=key, amount=amount)
    if charge.state != SandboxCharge.State.SUCCEEDED:
        record.state, record.reason = SandboxRefund.State.REFUSED, "charge_not_paid"
    elif amount <= 0 or charge.refunded + (held or 0) + amount > charge.amount:
        record.state, record.reason = SandboxRefund.State.REFUSED, "amount_too_large"
    elif charge.refunds_behave == REFUNDS_REFUSED:
        record.state, record.reason = SandboxRefund.State.REFUSED, "refund_declined"
    elif charge.refunds_behave in (REFUNDS_DELAYED, REFUNDS_NO_ANSWER):
        record.state = SandboxRefund.State.PENDING
    else:
        record.state = SandboxRefund.State.SUCCEEDED
    record.save(force_insert=True)
    if record.state == SandboxRefund.State.SUCCEEDED:
        _refund_done(charge, record)
    return record


@transaction.atomic
def refund_look_up(*, key: str) -> SandboxRefund | None:
    """The merchant asks about a refund; one still processing is done by the time it asks again."""
    record = SandboxRefund.objects.select_for_update().select_related("charge").filter(key=key).first()
    if record is not None and record.state == SandboxRefund.State.PENDING:
        charge = SandboxCharge.objects.select_for_update().get(pk=record.charge_id)
        record.state = SandboxRefund.State.SUCCEEDED
        record.save(update_fields=["state"])
        _refund_done(charge, record)
    return record


def _refund_done(charge: SandboxCharge, record: SandboxRefund) -> None:
    charge.refunded += record.amount
    charge.save(update_fields=["refunded"])
    webhook_send(charge, "payment.refunded", amount=record.amount)


def webhook_body(charge: SandboxCharge, kind: str, *, amount: int) -> dict[str, Any]:
    return {
        "id": f"evt_{secrets.token_hex(12)}",
        "type": kind,
        "created": int(time.time()),
        "data": {"payment_ref": charge.payment_ref, "amount": amount, "currency": charge.currency},
    }


def webhook_send(charge: SandboxCharge, kind: str, *, amount: int) -> None:
    """At least once: some events twice, each after a random delay (so sometimes out of order)."""
    body = webhook_body(charge, kind, amount=amount)
    copies = 2 if secrets.randbelow(100) < settings.PAYMENT_SANDBOX_DUPLICATE_PERCENT else 1
    for _copy in range(copies):
        delay = secrets.randbelow(settings.PAYMENT_SANDBOX_MAX_DELAY + 1)
        enqueue("collection.tasks.sandbox_webhook_deliver", body, countdown=delay)


def settlement_csv(day: dt.date) -> bytes:
    """The charges that succeeded on ``day`` (Baghdad time), as the company's settlement file."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    charges = SandboxCharge.objects.filter(
        state=SandboxCharge.State.SUCCEEDED, completed_at__gte=start, completed_at__lt=start + dt.timedelta(days=1)
    ).order_by("completed_at", "id")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SETTLEMENT_COLUMNS)
    for charge in charges.iterator():
        settled = charge.completed_at or start
        writer.writerow(
            [
                charge.id,
                charge.payment_ref,
                charge.amount,
                charge.currency or CURRENCY,
                "settled",
                settled.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                charge.card_last4,
                charge.fee,
            ]
        )
    return out.getvalue().encode()
