"""The built-in sandbox: an adapter, and the gateway it talks to (which plays the e-payment
company: hosted card page, signed webhooks, daily settlement CSV).

Webhook contract: body ``{"id": "evt_…", "type": "payment.succeeded" | "payment.failed" |
"payment.refunded", "created": <unix>, "data": {"payment_ref", "amount", "currency": "IQD"}}``,
header ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from collection.constants import CURRENCY, PaymentStatus
from collection.models import SandboxCharge
from collection.providers.base import Checkout, ProviderError, ProviderStatus, WebhookEvent, WebhookRejected
from govportal.tasks import enqueue

if TYPE_CHECKING:
    from collection.models import Payment

# Test cards: number → (outcome, reason, sends webhooks).
CARD_SUCCEEDS = "4111111111111111"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_SILENT_SUCCESS = "4000000000000119"
TEST_CARDS: dict[str, tuple[str, str, bool]] = {
    CARD_SUCCEEDS: (SandboxCharge.State.SUCCEEDED, "", True),
    CARD_DECLINED: (SandboxCharge.State.DECLINED, "card_declined", True),
    CARD_INSUFFICIENT_FUNDS: (SandboxCharge.State.DECLINED, "insufficient_funds", True),
    CARD_SILENT_SUCCESS: (SandboxCharge.State.SUCCEEDED, "", False),
}
SETTLEMENT_COLUMNS = ["txn_id", "payment_ref", "amount", "currency", "status", "settled_at", "card_last4", "fee"]
FEE_PER_MILLE = 5  # the sandbox company keeps 0.5%

_STATE_TO_STATUS = {
    SandboxCharge.State.OPEN: PaymentStatus.PENDING,
    SandboxCharge.State.SUCCEEDED: PaymentStatus.SUCCEEDED,
    SandboxCharge.State.DECLINED: PaymentStatus.FAILED,
    SandboxCharge.State.CANCELLED: PaymentStatus.CANCELLED,
}


def signature_header(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def signature_check(body: bytes, header: str, *, secret: str, tolerance: int, now: float | None = None) -> None:
    """Raise ``WebhookRejected`` unless ``header`` signs ``body`` with ``secret`` within ``tolerance`` s."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as error:
        raise WebhookRejected("missing or malformed signature timestamp") from error
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        raise WebhookRejected("signature does not match")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise WebhookRejected("timestamp outside the tolerance")


class SandboxProvider:
    name = "sandbox"
    events_carry_payment_ref = True

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

    def refund(self, payment: Payment, amount: int) -> str:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(payment_ref=payment.payment_ref).first()
            if charge is None or charge.state != SandboxCharge.State.SUCCEEDED:
                raise ProviderError("only a succeeded sandbox charge can be refunded")
            if charge.refunded + amount > charge.amount:
                raise ProviderError("refund above what remains")
            charge.refunded += amount
            charge.save(update_fields=["refunded"])
            refund_id = f"re_{secrets.token_hex(8)}"
            webhook_send(charge, "payment.refunded", amount=amount)
            return refund_id

    def settlement_file(self, day: dt.date) -> bytes:
        return settlement_csv(day)


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
    charge.save(update_fields=["state", "decline_reason", "send_webhooks", "card_last4", "completed_at"])
    if notify:
        kind = "payment.succeeded" if state == SandboxCharge.State.SUCCEEDED else "payment.failed"
        webhook_send(charge, kind, amount=charge.amount)
    return charge


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
