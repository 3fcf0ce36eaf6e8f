"""Provider events: receiving a webhook once and processing it as a hint confirmed with the provider."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from collection.constants import CURRENCY, DiscrepancyKind, EventOutcome
from collection.models import Payment, PaymentEvent
from collection.providers import get_provider
from collection.services.discrepancies import discrepancy_flag
from collection.services.payments import payment_apply
from collection.services.refunds import refunds_sync_for
from govportal.tasks import enqueue

# --- Webhooks --------------------------------------------------------------------------


def webhook_receive(*, provider: str, body: bytes, headers: dict[str, str]) -> PaymentEvent | None:
    """Check a provider notification and keep it once; a task processes it after commit.

    Raises ``WebhookRejected`` (nothing stored) when it is not authentic. Returns ``None`` for
    a copy of an event already received.
    """
    event = get_provider(provider).parse_webhook(body, headers)
    try:
        with transaction.atomic():
            stored = PaymentEvent.objects.create(
                provider=provider,
                event_id=event.event_id,
                kind=event.kind,
                payment_ref=event.payment_ref,
                payload=event.payload,
            )
    except IntegrityError:
        return None
    enqueue("collection.tasks.payment_event_process", stored.pk)
    return stored


def _event_done(event: PaymentEvent, outcome: str, note: str = "") -> str:
    PaymentEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=outcome, note=note[:300]
    )
    return outcome


def payment_event_process(*, event_id: int) -> str:
    """Treat a stored event as a hint: confirm with the provider's status, then apply (the change
    and the event's outcome in one transaction)."""
    event = PaymentEvent.objects.filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return EventOutcome.IGNORED
    provider = get_provider(event.provider)
    lookup = (
        Q(payment_ref=event.payment_ref) if provider.events_carry_payment_ref else Q(provider_ref=event.payment_ref)
    )
    payment = Payment.objects.filter(lookup, provider=event.provider).first()
    if payment is None:
        return _event_done(event, EventOutcome.IGNORED, "no such payment")
    data = event.payload.get("data", {}) if isinstance(event.payload, dict) else {}
    if (
        event.kind.endswith("succeeded")
        and data
        and (data.get("amount") != payment.amount or data.get("currency") != CURRENCY)
    ):
        with transaction.atomic():
            discrepancy_flag(
                kind=DiscrepancyKind.WEBHOOK_MISMATCH,
                payment=payment,
                reported_amount=data.get("amount") if isinstance(data.get("amount"), int) else None,
                detail=f"event {event.event_id}: {data.get('amount')} {data.get('currency')}",
            )
            return _event_done(event, EventOutcome.FLAGGED, "amount or currency differs")
    reported = provider.fetch_status(payment)  # ProviderError: the task retries
    if event.kind.endswith("refunded"):
        refunds_sync_for(payment=payment)  # the refunds awaiting its answer are settled first
        payment = Payment.objects.get(pk=payment.pk)
        if reported.refunded > payment.refunded_amount + payment.refunds.pending_total():
            with transaction.atomic():
                discrepancy_flag(
                    kind=DiscrepancyKind.WEBHOOK_MISMATCH,
                    payment=payment,
                    reported_amount=reported.refunded,
                    detail="provider reports more refunded than recorded here",
                )
                return _event_done(event, EventOutcome.FLAGGED, "refund not recorded here")
        return _event_done(event, EventOutcome.IGNORED, "refund already recorded")
    # The payment's change and the event's outcome commit together: a worker killed in between
    # leaves neither, and the retry applies the event as if for the first time.
    with transaction.atomic():
        return _event_done(event, payment_apply(payment=payment, reported=reported, source="webhook"))
