"""Payments: starting one online and the state machine that applies what the provider says (sync, cancel, expiry)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collection.constants import (
    ACTIVE,
    CURRENCY,
    PAYMENT_EXPIRY_MINUTES,
    RETRYABLE,
    DiscrepancyKind,
    EventOutcome,
    Method,
    ObligationStatus,
    PaymentStatus,
    Provider,
)
from collection.models import Allocation, Obligation, Payment
from collection.providers import ProviderError, ProviderStatus, get_provider
from collection.services.bills import _obligation_status, _obligations_changed, _payments_in_progress
from collection.services.client_events import bills_paid_tell
from collection.services.discrepancies import discrepancy_flag
from collection.services.receipts import receipt_issue
from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.notifications.services import notify

logger = logging.getLogger(__name__)

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- Starting a payment ----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """Pay ``amount`` dinars of ``obligation``."""

    obligation: Obligation
    amount: int


def _basket_key(payer: User, lines: Sequence[Line]) -> str:
    parts = sorted(f"{line.obligation.pk}:{line.amount}" for line in lines)
    return hashlib.sha256(f"{payer.pk}|{'|'.join(parts)}".encode()).hexdigest()


def _new_payment_ref() -> str:
    return "P" + timezone.now().strftime("%y%m%d") + "".join(secrets.choice(_REF_ALPHABET) for _i in range(8))


def _locked_lines(payer: User, lines: Sequence[Line]) -> list[Line]:
    """Lock the bills (in a fixed order, against deadlocks) and check each line against them."""
    if not lines:
        raise ValidationError(_("Choose at least one bill to pay."), code="empty")
    ids = sorted({line.obligation.pk for line in lines})
    if len(ids) != len(lines):
        raise ValidationError(_("A bill appears twice in the payment."), code="twice")
    locked = {o.pk: o for o in Obligation.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    checked = []
    for line in lines:
        obligation = locked[line.obligation.pk]
        if obligation.payer_id != payer.pk:
            raise PermissionDenied
        if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.PARTIALLY_PAID):
            raise ValidationError(
                _("Bill %(reference)s is not open for payment.") % {"reference": obligation.reference},
                code="not_payable",
            )
        if not 0 < line.amount <= obligation.remaining:
            raise ValidationError(
                _("The amount for bill %(reference)s must be between 1 and %(remaining)s dinars.")
                % {"reference": obligation.reference, "remaining": f"{obligation.remaining:,}"},
                code="amount",
            )
        checked.append(Line(obligation=obligation, amount=line.amount))
    if len({line.obligation.collecting_entity_id for line in checked}) > 1:
        raise ValidationError(_("Bills of different entities are paid separately."), code="entities")
    return checked


def _return_url(payment: Payment, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{reverse('collection:payment_return', args=[payment.pk])}"


def payment_start(
    *,
    payer: User,
    lines: Sequence[Line],
    provider: str | None = None,
    base_url: str | None = None,
    request: HttpRequest | None = None,
) -> Payment:
    """Start paying ``lines`` online; returns the payment to send the payer to (its ``checkout_url``).

    Paying the same bills again while a payment for them is under way returns that payment
    (double click, two tabs). The provider is called outside our transaction; if it fails the
    payment is marked failed and the payer told to try again.
    """
    provider = provider or settings.PAYMENT_PROVIDER
    base_url = base_url or settings.SITE_URL
    with transaction.atomic():
        checked = _locked_lines(payer, lines)
        key = _basket_key(payer, checked)
        existing = Payment.objects.active().filter(payer=payer, basket_key=key).first()
        if existing is not None:
            return existing
        busy = _payments_in_progress(line.obligation for line in checked)
        if busy:
            raise ValidationError(
                _("A payment for some of these bills is already under way (%(ref)s). Finish or cancel it first.")
                % {"ref": busy[0].payment_ref},
                code="in_progress",
            )
        payment = Payment.objects.create(
            payment_ref=_new_payment_ref(),
            payer=payer,
            collecting_entity=checked[0].obligation.collecting_entity,
            amount=sum(line.amount for line in checked),
            method=Method.ONLINE_CARD,
            provider=provider,
            basket_key=key,
        )
        Allocation.objects.bulk_create(
            [Allocation(payment=payment, obligation=line.obligation, amount=line.amount) for line in checked]
        )
        audit_record(
            action="payment_create", actor=payer, entity=payment.collecting_entity, target=payment,
            data={"payment_ref": payment.payment_ref, "amount": payment.amount, "provider": provider},
            request=request,
        )  # fmt: skip
    try:
        checkout = get_provider(provider).create_checkout(payment, return_url=_return_url(payment, base_url))
    except ProviderError as error:
        logger.warning("checkout at %s failed for %s: %s", provider, payment.payment_ref, error)
        _payment_close(payment, PaymentStatus.FAILED, reason="provider_unavailable")
        raise ValidationError(
            _("The payment service is not answering. Nothing was charged; please try again in a few minutes."),
            code="provider_unavailable",
        ) from error
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.provider_ref, payment.checkout_url = checkout.provider_ref, checkout.redirect_url
        if payment.status == PaymentStatus.CREATED:
            payment.transition_to(PaymentStatus.PENDING)
        payment.save(update_fields=["provider_ref", "checkout_url", "status", "updated_at"])
    return payment


def payment_retry(
    *, payment: Payment, payer: User, base_url: str | None = None, request: HttpRequest | None = None
) -> Payment:
    """Pay again what a declined (failed, cancelled, expired) payment was to pay: the same bills and
    amounts, a new payment through ``payment_start`` (so the one-active-payment rule holds: a second
    click returns the first retry). A payment still under way is returned as it is."""
    if payment.payer_id != payer.pk:
        raise PermissionDenied
    if payment.status in ACTIVE:
        return payment
    if payment.status not in RETRYABLE:
        raise ValidationError(_("This payment went through: there is nothing to pay again."), code="not_retryable")
    lines = [
        Line(obligation=allocation.obligation, amount=allocation.amount)
        for allocation in payment.allocations.select_related("obligation").order_by("obligation__due_date")
    ]
    return payment_start(payer=payer, lines=lines, provider=payment.provider, base_url=base_url, request=request)


# --- Applying what the provider says ----------------------------------------------------


_CLOSE_ACTIONS: dict[str, str] = {
    PaymentStatus.FAILED: "payment_fail",
    PaymentStatus.CANCELLED: "payment_cancel",
    PaymentStatus.EXPIRED: "payment_expire",
}


def _payment_close(payment: Payment, status: str, *, reason: str = "", actor: Any = None) -> Payment:
    """Fail, cancel or expire an active payment (no-op if it has already reached a final state)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status not in ACTIVE:
            return payment
        payment.transition_to(status)
        payment.failure_reason = reason[:200]
        payment.save(update_fields=["status", "failure_reason", "updated_at"])
        audit_record(
            action=_CLOSE_ACTIONS[status],
            actor=actor,
            entity=payment.collecting_entity,
            target=payment,
            data={"payment_ref": payment.payment_ref, "reason": reason},
        )
    return payment


def _credit(payment: Payment) -> None:
    changed = []
    for allocation in payment.allocations.order_by("obligation_id"):
        obligation = Obligation.objects.select_for_update().get(pk=allocation.obligation_id)
        obligation.amount_paid += allocation.amount
        obligation.status = _obligation_status(obligation)
        obligation.save(update_fields=["amount_paid", "status"])
        changed.append(obligation.pk)
    _obligations_changed(changed)


def payment_apply(*, payment: Payment, reported: ProviderStatus, source: str) -> str:
    """Bring an active payment to what the provider reports; returns an ``EventOutcome``.

    A final state is never overwritten. A success whose amount or currency differs from ours is
    not credited: it is flagged for staff.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("collecting_entity").get(pk=payment.pk)
        if payment.status not in ACTIVE:
            return EventOutcome.IGNORED
        if reported.state == PaymentStatus.SUCCEEDED and (
            reported.amount != payment.amount or reported.currency != CURRENCY
        ):
            discrepancy_flag(
                kind=DiscrepancyKind.WEBHOOK_MISMATCH,
                payment=payment,
                reported_amount=reported.amount,
                detail=f"{source}: provider reports {reported.amount} {reported.currency}",
            )
            return EventOutcome.FLAGGED
        if reported.state == PaymentStatus.PENDING:
            if payment.status == PaymentStatus.PENDING:
                return EventOutcome.IGNORED
            payment.transition_to(PaymentStatus.PENDING)
            payment.save(update_fields=["status", "updated_at"])
            return EventOutcome.APPLIED
        if payment.status == PaymentStatus.CREATED:
            payment.transition_to(PaymentStatus.PENDING)
        if reported.state != PaymentStatus.SUCCEEDED:
            payment.save(update_fields=["status", "updated_at"])
            _payment_close(payment, reported.state, reason=reported.reason or source)
            return EventOutcome.APPLIED
        payment.transition_to(PaymentStatus.SUCCEEDED)
        payment.succeeded_at = timezone.now()
        payment.provider_ref = payment.provider_ref or reported.provider_ref
        payment.card_last4 = reported.card_last4[-4:]
        payment.save(update_fields=["status", "succeeded_at", "provider_ref", "card_last4", "updated_at"])
        _payment_succeeded(payment, source=source)
        return EventOutcome.APPLIED


def _payment_succeeded(payment: Payment, *, source: str, actor: Any = None, request: HttpRequest | None = None) -> None:
    _credit(payment)
    receipt = receipt_issue(payment=payment)
    audit_record(
        action="payment_succeed", actor=actor, entity=payment.collecting_entity, target=payment,
        data={"payment_ref": payment.payment_ref, "amount": payment.amount, "source": source,
              "receipt": receipt.serial},
        request=request,
    )  # fmt: skip
    bills_paid_tell(payment=payment)
    notify(
        users=[payment.payer],
        message=gettext_noop("Your payment %(ref)s of %(amount)s IQD succeeded. Receipt %(serial)s."),
        params={"ref": payment.payment_ref, "amount": f"{payment.amount:,}", "serial": receipt.serial},
        url=reverse("collection:payment_detail", args=[payment.pk]),
    )


def payment_sync(*, payment: Payment) -> Payment:
    """Ask the provider about an active payment and apply the answer (status polling)."""
    if payment.status in ACTIVE and payment.provider_ref and payment.provider != Provider.OUTLET:
        try:
            reported = get_provider(payment.provider).fetch_status(payment)
        except ProviderError as error:
            logger.info("status of %s not available: %s", payment.payment_ref, error)
            return payment
        payment_apply(payment=payment, reported=reported, source="poll")
    return Payment.objects.get(pk=payment.pk)


def payment_cancel(*, payment: Payment, actor: Any = None, reason: str = "cancelled_by_payer") -> Payment:
    """The payer (or an administrator, giving ``reason``) gives up an unfinished payment.
    If the provider says it went through, it counts."""
    if payment.status not in ACTIVE:
        return payment
    if payment.provider_ref:
        try:
            reported = get_provider(payment.provider).cancel(payment)
        except ProviderError as error:
            raise ValidationError(
                _("The payment service is not answering. Try again in a few minutes."), code="provider_unavailable"
            ) from error
        if reported.state == PaymentStatus.SUCCEEDED:
            payment_apply(payment=payment, reported=reported, source="cancel")
            return Payment.objects.get(pk=payment.pk)
    return _payment_close(payment, PaymentStatus.CANCELLED, reason=reason, actor=actor)


def payments_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Payments still unfinished after 30 minutes: a final provider state wins; otherwise they are
    cancelled at the provider and marked expired. Safe to run concurrently and repeatedly."""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=PAYMENT_EXPIRY_MINUTES)
    counts = {"settled": 0, "expired": 0, "unreachable": 0}
    stale = Payment.objects.active().filter(created_at__lt=cutoff).exclude(provider=Provider.OUTLET)
    for payment in stale.order_by("created_at").iterator():
        try:
            if payment.provider_ref:
                provider = get_provider(payment.provider)
                reported = provider.fetch_status(payment)
                if reported.state == PaymentStatus.PENDING:
                    reported = provider.cancel(payment)
                if reported.state != PaymentStatus.PENDING and reported.state != PaymentStatus.CANCELLED:
                    payment_apply(payment=payment, reported=reported, source="expiry")
                    counts["settled"] += 1
                    continue
        except ProviderError as error:
            logger.warning("expiry of %s postponed: %s", payment.payment_ref, error)
            counts["unreachable"] += 1
            continue
        _payment_close(payment, PaymentStatus.EXPIRED, reason="expired")
        counts["expired"] += 1
    return counts
