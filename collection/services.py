"""Every write of electronic collection: bills, the payment state machine, provider events,
receipts, refunds and outlet payments. Money is integer IQD; every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collection.constants import (
    ACTIVE,
    CURRENCY,
    PAYMENT_EXPIRY_MINUTES,
    RECEIPT_REGISTER,
    DiscrepancyKind,
    EventOutcome,
    Method,
    ObligationStatus,
    PaymentStatus,
    Provider,
)
from collection.models import Allocation, Discrepancy, Obligation, Outlet, Payment, PaymentEvent, Receipt, Refund
from collection.providers import ProviderError, ProviderStatus, get_provider
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf import render_to_pdf
from govportal.pdf.storage import store_pdf
from govportal.verification.constants import ArtifactKind
from govportal.verification.services import Signer, artifact_revoke, mask_name, verify_url

logger = logging.getLogger(__name__)

REFUND_ROLES = (Role.FUND_OFFICER,)
STAFF_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# Domain apps that bill through collection (the housing fund) learn here when what was paid on
# their bills changes; called inside the transaction that changed it, with the bills' ids.
ObligationListener = Callable[[list[Any]], None]
OBLIGATION_LISTENERS: list[ObligationListener] = []


def obligation_listener_register(listener: ObligationListener) -> None:
    if listener not in OBLIGATION_LISTENERS:
        OBLIGATION_LISTENERS.append(listener)


def _obligations_changed(ids: list[Any]) -> None:
    for listener in OBLIGATION_LISTENERS:
        listener(ids)


def _require_role(user: User, entity: Entity, roles: Sequence[str]) -> None:
    if not roles_in(user, entity) & {str(role) for role in roles}:
        raise PermissionDenied


# --- Bills -----------------------------------------------------------------------------


@transaction.atomic
def obligation_create(
    *,
    payer: User,
    collecting_entity: Entity,
    purpose: str,
    reference: str,
    amount: int,
    due_date: dt.date,
    description: str = "",
    actor: Any = None,
) -> Obligation:
    """A bill for ``payer``. Domain apps (the housing fund) create theirs through this."""
    if amount <= 0:
        raise ValidationError(_("A bill's amount must be more than zero."), code="amount")
    if Obligation.objects.filter(collecting_entity=collecting_entity, reference=reference).exists():
        raise ValidationError(_("A bill with reference %(reference)s already exists.") % {"reference": reference})
    obligation = Obligation.objects.create(
        payer=payer,
        collecting_entity=collecting_entity,
        purpose=purpose,
        reference=reference,
        amount=amount,
        due_date=due_date,
        description=description,
    )
    audit_record(
        action="obligation_create",
        actor=actor,
        entity=collecting_entity,
        target=obligation,
        data={"reference": reference, "amount": amount},
    )
    return obligation


def _payments_in_progress(obligations: Iterable[Obligation]) -> list[Payment]:
    return list(
        Payment.objects.active()
        .filter(allocations__obligation__in=[o.pk for o in obligations])
        .distinct()
        .order_by("created_at")
    )


@transaction.atomic
def obligation_cancel(*, obligation: Obligation, reason: str, actor: User) -> Obligation:
    """Cancel a bill nothing has been paid on and no payment is under way for."""
    _require_role(actor, obligation.collecting_entity, (Role.FUND_OFFICER, Role.ENTITY_HEAD))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the bill.")})
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != ObligationStatus.OPEN or _payments_in_progress([obligation]):
        raise ValidationError(_("Only an unpaid bill with no payment under way can be cancelled."), code="not_open")
    obligation.status = ObligationStatus.CANCELLED
    obligation.save(update_fields=["status"])
    audit_record(
        action="obligation_cancel", actor=actor, entity=obligation.collecting_entity, target=obligation,
        data={"reason": reason},
    )  # fmt: skip
    return obligation


@transaction.atomic
def obligation_close(*, obligation: Obligation, reason: str, actor: Any = None) -> Obligation:
    """Stop collecting what remains of a bill (its debt moved elsewhere, e.g. a new loan schedule):
    unpaid → cancelled; partly paid → its amount becomes what was paid. Refused while a payment
    for it is under way."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.PARTIALLY_PAID):
        return obligation
    if _payments_in_progress([obligation]):
        raise ValidationError(
            _("A payment for bill %(reference)s is under way; try again when it has finished.")
            % {"reference": obligation.reference},
            code="in_progress",
        )
    if obligation.amount_paid:
        obligation.amount, obligation.status = obligation.amount_paid, ObligationStatus.PAID
    else:
        obligation.status = ObligationStatus.CANCELLED
    obligation.save(update_fields=["amount", "status"])
    audit_record(
        action="obligation_cancel", actor=actor, entity=obligation.collecting_entity, target=obligation,
        data={"reason": reason, "kept": obligation.amount_paid},
    )  # fmt: skip
    _obligations_changed([obligation.pk])
    return obligation


def _obligation_status(obligation: Obligation) -> str:
    if obligation.amount_paid >= obligation.amount:
        return ObligationStatus.PAID
    return ObligationStatus.PARTIALLY_PAID if obligation.amount_paid else ObligationStatus.OPEN


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


def discrepancy_flag(*, kind: str, payment: Payment, reported_amount: int | None, detail: str) -> Discrepancy | None:
    """Put a payment in front of staff, once per open question of this kind."""
    if Discrepancy.objects.filter(kind=kind, payment=payment, resolved_at__isnull=True).exists():
        return None
    logger.warning("discrepancy %s on %s: %s", kind, payment.payment_ref, detail)
    return Discrepancy.objects.create(
        kind=kind,
        provider=payment.provider,
        collecting_entity=payment.collecting_entity,
        payment=payment,
        expected_amount=payment.amount,
        reported_amount=reported_amount,
        detail=detail[:300],
    )


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


def payment_cancel(*, payment: Payment, actor: Any = None) -> Payment:
    """The payer gives up an unfinished payment. If the provider says it went through, it counts."""
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
    return _payment_close(payment, PaymentStatus.CANCELLED, reason="cancelled_by_payer", actor=actor)


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
    from collection.tasks import payment_event_process

    transaction.on_commit(lambda: payment_event_process.delay(stored.pk))
    return stored


def _event_done(event: PaymentEvent, outcome: str, note: str = "") -> str:
    PaymentEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), outcome=outcome, note=note[:300]
    )
    return outcome


def payment_event_process(*, event_id: int) -> str:
    """Treat a stored event as a hint: confirm with the provider's status, then apply."""
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
        discrepancy_flag(
            kind=DiscrepancyKind.WEBHOOK_MISMATCH,
            payment=payment,
            reported_amount=data.get("amount") if isinstance(data.get("amount"), int) else None,
            detail=f"event {event.event_id}: {data.get('amount')} {data.get('currency')}",
        )
        return _event_done(event, EventOutcome.FLAGGED, "amount or currency differs")
    reported = provider.fetch_status(payment)  # ProviderError: the task retries
    if event.kind.endswith("refunded"):
        if reported.refunded > Payment.objects.get(pk=payment.pk).refunded_amount:
            discrepancy_flag(
                kind=DiscrepancyKind.WEBHOOK_MISMATCH,
                payment=payment,
                reported_amount=reported.refunded,
                detail="provider reports more refunded than recorded here",
            )
            return _event_done(event, EventOutcome.FLAGGED, "refund not recorded here")
        return _event_done(event, EventOutcome.IGNORED, "refund already recorded")
    return _event_done(event, payment_apply(payment=payment, reported=reported, source="webhook"))


# --- Receipts --------------------------------------------------------------------------


def receipt_serial(entity: Entity, year: int, number: int) -> str:
    return f"{entity.code}-RC-{year}-{number:06d}"


def receipt_content(receipt: Receipt) -> bytes:
    """The canonical bytes the receipt's signature covers."""
    payment = receipt.payment
    facts = {
        "serial": receipt.serial,
        "issuer": receipt.collecting_entity.code,
        "payment_ref": payment.payment_ref,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
        "payer": payment.payer.full_name,
        "bills": sorted(a.obligation.reference for a in payment.allocations.select_related("obligation")),
        "paid_at": payment.succeeded_at.isoformat() if payment.succeeded_at else "",
        "issued_at": receipt.issued_at.isoformat(),
    }
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def receipt_display(receipt: Receipt) -> list[tuple[str, str]]:
    payment = receipt.payment
    return [
        (gettext_noop("Amount paid (IQD)"), f"{payment.amount:,}"),
        (gettext_noop("Payment reference"), payment.payment_ref),
        (gettext_noop("Paid by"), mask_name(payment.payer.full_name or "-")),
        (gettext_noop("Paid at"), (payment.succeeded_at or receipt.issued_at).strftime("%Y-%m-%d %H:%M")),
    ]


def receipt_issue(*, payment: Payment) -> Receipt:
    """Sign and number the receipt of a succeeded payment (inside the caller's transaction)."""
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    entity = payment.collecting_entity
    now = timezone.now()
    number = counter_next(entity=entity, register=RECEIPT_REGISTER, year=now.year)
    receipt = Receipt(payment=payment, collecting_entity=entity, serial=receipt_serial(entity, now.year, number))
    receipt.issued_at = now
    artifact = Signer(entity).artifact(
        kind=ArtifactKind.RECEIPT,
        serial=receipt.serial,
        issued_at=now,
        content=receipt_content(receipt),
        display=receipt_display(receipt),
    )
    artifact.save(force_insert=True)
    receipt.artifact = artifact
    receipt.save(force_insert=True)
    from collection.tasks import receipt_render_pdf

    transaction.on_commit(lambda: receipt_render_pdf.delay(str(receipt.pk)), robust=True)
    return receipt


def receipt_pdf_context(receipt: Receipt) -> dict[str, Any]:
    payment = receipt.payment
    return {
        "receipt": receipt,
        "payment": payment,
        "allocations": payment.allocations.select_related("obligation").order_by("obligation__due_date"),
        "entity": receipt.collecting_entity,
        "verify_url": verify_url(receipt.artifact),
        "serial": receipt.serial,
        "issued_at": receipt.issued_at,
        "site_url": settings.SITE_URL,
    }


def receipt_render_pdf_now(*, receipt: Receipt) -> Receipt:
    """Render and store the receipt's PDF unless it already exists (safe to repeat)."""
    receipt = Receipt.objects.select_related(
        "collecting_entity__parent", "artifact", "payment__payer", "payment__outlet"
    ).get(pk=receipt.pk)
    if receipt.pdf:
        return receipt
    with translation.override(settings.LANGUAGE_CODE):
        content = render_to_pdf("collection/receipt_pdf.html", receipt_pdf_context(receipt))
    store_pdf(field_file=receipt.pdf, name=f"{receipt.serial}.pdf", content=content)
    return receipt


# --- Refunds ---------------------------------------------------------------------------


def _reverse_allocations(payment: Payment, amount: int) -> None:
    """Take ``amount`` back off the bills, the latest-due bill first."""
    left, changed = amount, []
    for allocation in payment.allocations.select_related("obligation").order_by("-obligation__due_date", "-pk"):
        take = min(allocation.amount - allocation.refunded, left)
        if take <= 0:
            continue
        allocation.refunded += take
        allocation.save(update_fields=["refunded"])
        obligation = Obligation.objects.select_for_update().get(pk=allocation.obligation_id)
        obligation.amount_paid -= take
        if obligation.status != ObligationStatus.CANCELLED:
            obligation.status = _obligation_status(obligation)
        obligation.save(update_fields=["amount_paid", "status"])
        changed.append(obligation.pk)
        left -= take
        if not left:
            break
    _obligations_changed(changed)


@transaction.atomic
def refund_create(
    *, payment: Payment, amount: int, reason: str, actor: User, request: HttpRequest | None = None
) -> Refund:
    """Refund all or part of a succeeded payment; never above what remains. A full refund
    revokes the receipt so that scanning it no longer shows a valid payment."""
    _require_role(actor, payment.collecting_entity, REFUND_ROLES)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for the refund.")
    if amount <= 0:
        errors["amount"] = _("Enter an amount of at least 1 dinar.")
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise ValidationError(_("Only a paid payment can be refunded."), code="not_refundable")
    if amount > payment.refundable:
        message = _("At most %(left)s dinars remain to refund.") % {"left": f"{payment.refundable:,}"}
        raise ValidationError({"amount": ValidationError(message, code="above_remaining")})
    provider_ref = ""
    if payment.provider != Provider.OUTLET:  # an outlet refund is a reversal on the card terminal
        try:
            provider_ref = get_provider(payment.provider).refund(payment, amount)
        except ProviderError as error:
            raise ValidationError(
                _("The payment service refused the refund: %(error)s") % {"error": error}, code="provider_refused"
            ) from error
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason.strip(), provider_ref=provider_ref, created_by=actor
    )
    payment.refunded_amount += amount
    payment.transition_to(
        PaymentStatus.REFUNDED if payment.refunded_amount == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    _reverse_allocations(payment, amount)
    if payment.status == PaymentStatus.REFUNDED and hasattr(payment, "receipt"):
        artifact_revoke(
            artifact=payment.receipt.artifact, reason=gettext_noop("Payment refunded"), actor=actor, request=request
        )
    audit_record(
        action="payment_refund", actor=actor, entity=payment.collecting_entity, target=payment,
        data={"payment_ref": payment.payment_ref, "amount": amount, "reason": reason.strip()}, request=request,
    )  # fmt: skip
    notify(
        users=[payment.payer],
        message=gettext_noop("%(amount)s IQD of your payment %(ref)s has been refunded."),
        params={"ref": payment.payment_ref, "amount": f"{amount:,}"},
        url=reverse("collection:payment_detail", args=[payment.pk]),
    )
    return refund


# --- Outlets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSlip:
    """What the card terminal printed for an in-person payment."""

    terminal_id: str
    approval_code: str
    rrn: str
    card_last4: str


def _slip_errors(slip: CardSlip) -> dict[str, str]:
    errors = {}
    if not slip.terminal_id.strip() or len(slip.terminal_id) > 32:
        errors["terminal_id"] = _("Enter the terminal ID printed on the card slip.")
    if not (slip.approval_code.isalnum() and 2 <= len(slip.approval_code) <= 12):
        errors["approval_code"] = _("Enter the approval code printed on the card slip (letters and digits).")
    if not (slip.rrn.isdigit() and len(slip.rrn) == 12):
        errors["rrn"] = _("The RRN has 12 digits.")
    if not (slip.card_last4.isdigit() and len(slip.card_last4) == 4):
        errors["card_last4"] = _("Enter the last 4 digits of the card.")
    return errors


def outlet_payment_record(
    *,
    cashier: User,
    outlet: Outlet,
    payer: User,
    obligations: Sequence[Obligation],
    slip: CardSlip,
    request: HttpRequest | None = None,
) -> Payment:
    """A citizen paid in person by card: record the terminal's slip and issue the receipt.

    Any online payment still under way for these bills is cancelled first; if it turns out to
    have gone through, the bills are paid and the outlet payment is refused."""
    _require_role(cashier, outlet.entity, (Role.OUTLET_CASHIER,))
    if not outlet.is_active:
        raise ValidationError(_("This outlet is closed."), code="outlet_closed")
    errors = _slip_errors(slip)
    if errors:
        raise ValidationError(errors)
    for pending in _payments_in_progress(obligations):
        payment_cancel(payment=pending, actor=cashier)
    with transaction.atomic():
        checked = _locked_lines(payer, [Line(obligation=o, amount=o.remaining) for o in obligations])
        if checked[0].obligation.collecting_entity_id != outlet.entity_id:
            raise ValidationError(_("These bills are collected by another entity."), code="entities")
        if _payments_in_progress(line.obligation for line in checked):
            raise ValidationError(_("An online payment for these bills is under way; try again."), code="in_progress")
        payment = Payment(
            payment_ref=_new_payment_ref(),
            payer=payer,
            collecting_entity=outlet.entity,
            amount=sum(line.amount for line in checked),
            method=Method.OUTLET_CARD,
            provider=Provider.OUTLET,
            basket_key=_basket_key(payer, checked),
            outlet=outlet,
            cashier=cashier,
            terminal_id=slip.terminal_id.strip(),
            approval_code=slip.approval_code.strip().upper(),
            rrn=slip.rrn,
            card_last4=slip.card_last4,
            provider_ref=slip.rrn,
        )
        payment.transition_to(PaymentStatus.PENDING)
        payment.transition_to(PaymentStatus.SUCCEEDED)
        payment.succeeded_at = timezone.now()
        payment.save(force_insert=True)
        Allocation.objects.bulk_create(
            [Allocation(payment=payment, obligation=line.obligation, amount=line.amount) for line in checked]
        )
        _payment_succeeded(payment, source="outlet", actor=cashier, request=request)
    return payment


# --- Discrepancies ---------------------------------------------------------------------


@transaction.atomic
def discrepancy_resolve(
    *, discrepancy: Discrepancy, resolution: str, note: str, actor: User, request: HttpRequest | None = None
) -> Discrepancy:
    """A fund officer closes a discrepancy with what was done about it (audited)."""
    if discrepancy.collecting_entity is None:
        if not actor.is_superuser:
            raise PermissionDenied
    else:
        _require_role(actor, discrepancy.collecting_entity, (Role.FUND_OFFICER, Role.ENTITY_HEAD))
    from collection.constants import Resolution

    errors: dict[str, str] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = _("Choose what was done.")
    if not note.strip():
        errors["note"] = _("Write a note saying what was checked.")
    if errors:
        raise ValidationError(errors)
    discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if discrepancy.resolved_at is not None:
        raise ValidationError(_("This discrepancy is already resolved."), code="resolved")
    discrepancy.resolution, discrepancy.note = resolution, note.strip()
    discrepancy.resolved_by, discrepancy.resolved_at = actor, timezone.now()
    discrepancy.save(update_fields=["resolution", "note", "resolved_by", "resolved_at"])
    audit_record(
        action="discrepancy_resolve", actor=actor, entity=discrepancy.collecting_entity, target=discrepancy,
        data={"kind": discrepancy.kind, "resolution": resolution, "note": note.strip()}, request=request,
    )  # fmt: skip
    return discrepancy
