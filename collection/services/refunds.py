"""Refunds: giving back all or part of a succeeded payment, in three steps around the provider.

1. ``refund_create`` reserves the refund under the payment's row lock: a pending ``Refund`` that
   counts against what remains to refund, so two officers at once can never together give back
   more than was paid. The transaction commits.
2. The provider is asked outside any transaction, with the refund's id as idempotency key.
3. ``refund_settle`` applies its answer under the lock again, once: confirmed → the bills change as
   the reason says, the payment's state and the receipt follow; refused → failed and flagged for
   staff, nothing changed; no answer → still pending, and ``refunds_pending_sync`` asks again.

The reason decides what happens to the bills, the latest-due bill first: *reduced or waived* lowers
a bill's amount by what it gives back and the bill stays settled (a bill given back whole is
waived); *in error or twice* reopens it. Outlet refunds (a reversal on the card terminal) are done
at once, in the reserving transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collection.constants import (
    REFUND_SYNC_AFTER_SECONDS,
    REFUND_UNCONFIRMED_HOURS,
    DiscrepancyKind,
    ObligationStatus,
    PaymentStatus,
    Provider,
    Purpose,
    RefundReason,
    RefundStatus,
)
from collection.models import Allocation, Obligation, Payment, Receipt, Refund
from collection.providers import PaymentProvider, ProviderError, RefundAnswer, get_provider
from collection.services.bills import REFUND_ROLES, _obligation_status, _obligations_changed, _require_role
from collection.services.client_events import payment_refunded_tell
from collection.services.discrepancies import discrepancy_flag
from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.notifications.services import notify
from govportal.verification.constants import ArtifactStatus
from govportal.verification.services import artifact_note_add, artifact_revoke, note_text

logger = logging.getLogger(__name__)

# What a receipt's verify page says after a partial refund (the date is the refund's, Baghdad time).
RECEIPT_NOTE = gettext_noop("Partially refunded %(amount)s IQD on %(date)s.")
RECEIPT_REVOKED = gettext_noop("Payment refunded")


# --- What a refund does to the bills ---------------------------------------------------------


@dataclass(frozen=True)
class BillChange:
    """One bill as a refund leaves it: ``take`` dinars given back from it."""

    obligation: Obligation
    take: int
    amount_after: int
    paid_after: int
    status_after: str

    @property
    def outcome(self) -> str:
        """waived | reduced | reopens | unchanged (a cancelled bill keeps its state)."""
        if self.status_after == ObligationStatus.WAIVED:
            return "waived"
        if self.amount_after < self.obligation.amount:
            return "reduced"
        if self.status_after in (ObligationStatus.OPEN, ObligationStatus.PARTIALLY_PAID):
            return "reopens"
        return "unchanged"

    @property
    def due_after(self) -> int:
        return 0 if self.status_after == ObligationStatus.WAIVED else self.amount_after - self.paid_after


def _bill_changes(allocations: Iterable[Allocation], amount: int, reason: str) -> list[BillChange]:
    """Spread ``amount`` over the payment's bills, the latest-due first, as ``reason`` says."""
    ordered = sorted(allocations, key=lambda a: (a.obligation.due_date, a.pk), reverse=True)
    left, changes = amount, []
    for allocation in ordered:
        take = min(allocation.amount - allocation.refunded, left)
        if take <= 0:
            continue
        after = copy.copy(allocation.obligation)
        after.amount_paid -= take
        if reason == RefundReason.REDUCED:
            after.amount -= take
        if after.amount <= 0:  # the whole bill given back: waived (a bill's amount stays above zero)
            after.amount, after.amount_paid, after.status = allocation.obligation.amount, 0, ObligationStatus.WAIVED
        elif after.status not in (ObligationStatus.CANCELLED, ObligationStatus.WAIVED):
            after.status = _obligation_status(after)
        changes.append(BillChange(allocation.obligation, take, after.amount, after.amount_paid, after.status))
        left -= take
        if not left:
            break
    return changes


def _reason_errors(changes: list[BillChange], reason: str) -> dict[str, ValidationError]:
    if reason not in RefundReason.values:
        return {"reason": ValidationError(_("Choose why the money is given back."), code="reason")}
    if reason == RefundReason.REDUCED and any(c.obligation.purpose == Purpose.HOUSING_INSTALLMENT for c in changes):
        message = _(
            "A loan installment's amount is set by the loan's schedule, so a refund cannot reduce it. "
            "If it was paid in error or twice, choose that reason: the installment is then due again. "
            "To change what the borrower owes, propose a new schedule for the loan."
        )
        return {"reason": ValidationError(message, code="installment_not_reduced")}
    return {}


@dataclass(frozen=True)
class RefundPlan:
    """What a refund will do, for the officer to check before confirming."""

    payment: Payment
    amount: int
    reason: str
    note: str
    changes: list[BillChange]
    remaining_after: int  # what could still be refunded afterwards
    pending: int  # other refunds of this payment awaiting the provider

    @property
    def full(self) -> bool:
        """Everything is given back (with the refunds still pending): the receipt will be revoked."""
        return self.remaining_after == 0

    @property
    def immediate(self) -> bool:
        return self.payment.provider == Provider.OUTLET

    @property
    def receipt_note(self) -> str:
        """What the receipt's verify page will read after this partial refund (if done today)."""
        note = {"at": timezone.now().isoformat(), "text": RECEIPT_NOTE, "params": {"amount": f"{self.amount:,}"}}
        return note_text(note, html=True)


def refund_remaining(payment: Payment) -> int:
    """What can still be refunded: the payment less what was refunded and what is awaiting the provider."""
    return payment.refundable - payment.refunds.pending_total()


def _plan(*, payment: Payment, amount: int, reason: str, note: str) -> RefundPlan:
    """Check a refund against the payment as it is now (the caller may hold its lock)."""
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise ValidationError(_("Only a paid payment can be refunded."), code="not_refundable")
    errors: dict[str, ValidationError] = {}
    if not note.strip():
        errors["note"] = ValidationError(_("Write a note saying why the money is given back."), code="note")
    pending = payment.refunds.pending_total()
    remaining = payment.refundable - pending
    if amount <= 0:
        errors["amount"] = ValidationError(_("Enter an amount of at least 1 dinar."), code="amount")
    elif amount > remaining:
        message = _("At most %(left)s dinars remain to refund.") % {"left": f"{remaining:,}"}
        if pending:
            message += " " + _("%(pending)s dinars are awaiting the payment service's answer.") % {
                "pending": f"{pending:,}"
            }
        errors["amount"] = ValidationError(message, code="above_remaining")
    elif payment.provider != Provider.OUTLET and amount != payment.amount:
        if not get_provider(payment.provider).partial_refunds:
            message = _(
                "%(provider)s refunds only whole payments: refund all %(amount)s dinars, "
                "or pay back part of it another way."
            ) % {"provider": payment.get_provider_display(), "amount": f"{payment.amount:,}"}
            errors["amount"] = ValidationError(message, code="whole_only")
    changes = _bill_changes(payment.allocations.select_related("obligation"), max(amount, 0), reason)
    errors = _reason_errors(changes, reason) | errors
    if errors:
        raise ValidationError(errors)
    return RefundPlan(payment, amount, reason, note.strip(), changes, remaining - amount, pending)


def refund_check(*, payment: Payment, amount: int, reason: str, note: str, actor: User) -> RefundPlan:
    """What refunding ``amount`` for ``reason`` would do, or the errors that forbid it; changes nothing."""
    _require_role(actor, payment.collecting_entity, REFUND_ROLES)
    return _plan(payment=payment, amount=amount, reason=reason, note=note)


# --- Reserving, asking the provider, settling ---------------------------------------------------


def refund_create(
    *, payment: Payment, amount: int, reason: str, note: str, actor: User, request: HttpRequest | None = None
) -> Refund:
    """Refund all or part of a succeeded payment, never above what remains (pending refunds
    count). Returns the refund: succeeded, failed (refused: flagged for staff, nothing changed)
    or pending (no answer yet: asked again by ``refunds_pending_sync``). Call it outside any
    transaction: the reservation commits before the provider is asked."""
    _require_role(actor, payment.collecting_entity, REFUND_ROLES)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("collecting_entity").get(pk=payment.pk)
        plan = _plan(payment=payment, amount=amount, reason=reason, note=note)
        refund = Refund.objects.create(payment=payment, amount=amount, reason=reason, note=plan.note, created_by=actor)
        audit_record(
            action="refund_request",
            actor=actor,
            entity=payment.collecting_entity,
            target=payment,
            data={
                "payment_ref": payment.payment_ref,
                "amount": amount,
                "reason": reason,
                "note": plan.note,
                "refund": str(refund.pk),
            },
            request=request,
        )
        if plan.immediate:  # an outlet refund is a reversal on the card terminal, done at the counter
            return _settle(payment, refund, RefundAnswer(state=RefundStatus.SUCCEEDED), actor=actor, request=request)
    answer = _ask(refund, lambda provider: provider.refund(payment, amount=amount, key=str(refund.pk)))
    return refund_settle(refund=refund, answer=answer, actor=actor, request=request)


def _ask(refund: Refund, question: Callable[[PaymentProvider], RefundAnswer | None]) -> RefundAnswer | None:
    """The provider's answer about ``refund`` (asked outside any transaction); None when none came."""
    try:
        return question(get_provider(refund.payment.provider))
    except ProviderError as error:
        logger.warning("refund %s of %s: no answer from the provider: %s", refund.pk, refund.payment.payment_ref, error)
        return None


@transaction.atomic
def refund_settle(
    *, refund: Refund, answer: RefundAnswer | None, actor: User | None = None, request: HttpRequest | None = None
) -> Refund:
    """Apply the provider's answer to a pending refund, under the payment's lock; a refund already
    settled is left as it is, so no answer is ever applied twice."""
    payment = Payment.objects.select_for_update().select_related("collecting_entity").get(pk=refund.payment_id)
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    return _settle(payment, locked, answer, actor=actor, request=request)


def _settle(
    payment: Payment, refund: Refund, answer: RefundAnswer | None, *, actor: User | None, request: HttpRequest | None
) -> Refund:
    """``payment`` is locked by the caller."""
    if refund.status != RefundStatus.PENDING:
        return refund
    now = timezone.now()
    refund.checked_at = now
    if answer is not None and answer.provider_ref:
        refund.provider_ref = answer.provider_ref[:80]
    if answer is None or answer.state == RefundStatus.PENDING:
        refund.save(update_fields=["checked_at", "provider_ref"])
        return refund
    refund.status, refund.decided_at = answer.state, now
    if answer.state == RefundStatus.FAILED:
        refund.failure_reason = (answer.reason or "refused")[:200]
        refund.save(update_fields=["status", "decided_at", "checked_at", "provider_ref", "failure_reason"])
        _refund_failed(payment, refund, actor=actor, request=request)
    else:
        refund.save(update_fields=["status", "decided_at", "checked_at", "provider_ref"])
        _refund_succeeded(payment, refund, actor=actor, request=request)
    return refund


def _refund_failed(payment: Payment, refund: Refund, *, actor: User | None, request: HttpRequest | None) -> None:
    discrepancy_flag(
        kind=DiscrepancyKind.REFUND_FAILED,
        payment=payment,
        reported_amount=None,
        detail=f"refund of {refund.amount:,} refused: {refund.failure_reason}",
    )
    audit_record(
        action="refund_fail",
        actor=actor,
        entity=payment.collecting_entity,
        target=payment,
        data={
            "payment_ref": payment.payment_ref,
            "amount": refund.amount,
            "refund": str(refund.pk),
            "provider_reason": refund.failure_reason,
        },
        request=request,
    )


def _refund_succeeded(payment: Payment, refund: Refund, *, actor: User | None, request: HttpRequest | None) -> None:
    """Take the refund off the bills as its reason says; the payment's state and receipt follow."""
    allocations = list(payment.allocations.select_related("obligation"))
    locked = Obligation.objects.select_for_update().filter(pk__in=[a.obligation_id for a in allocations])
    bills = {bill.pk: bill for bill in locked.order_by("pk")}
    for allocation in allocations:
        allocation.obligation = bills[allocation.obligation_id]
    changes = _bill_changes(allocations, refund.amount, refund.reason)
    # Described before the bills change (an outcome compares the bill before and after).
    bills_changed = [{"reference": c.obligation.reference, "take": c.take, "outcome": c.outcome} for c in changes]
    by_bill = {allocation.obligation_id: allocation for allocation in allocations}
    for change in changes:
        allocation = by_bill[change.obligation.pk]
        allocation.refunded += change.take
        allocation.save(update_fields=["refunded"])
        bill = change.obligation
        bill.amount, bill.amount_paid, bill.status = change.amount_after, change.paid_after, change.status_after
        bill.save(update_fields=["amount", "amount_paid", "status"])
    payment.refunded_amount += refund.amount
    payment.transition_to(
        PaymentStatus.REFUNDED if payment.refunded_amount == payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    _obligations_changed([change.obligation.pk for change in changes])
    payment_refunded_tell(payment=payment, refund=refund, changes=changes)
    _receipt_follows(payment, refund, actor=actor, request=request)
    audit_record(
        action="payment_refund",
        actor=actor,
        entity=payment.collecting_entity,
        target=payment,
        data={
            "payment_ref": payment.payment_ref,
            "amount": refund.amount,
            "reason": refund.reason,
            "note": refund.note,
            "refund": str(refund.pk),
            "requested_by": refund.created_by_id,
            "bills": bills_changed,
        },
        request=request,
    )
    notify(
        users=[payment.payer],
        message=gettext_noop("%(amount)s IQD of your payment %(ref)s has been refunded."),
        params={"ref": payment.payment_ref, "amount": f"{refund.amount:,}"},
        url=reverse("collection:payment_detail", args=[payment.pk]),
    )


def _receipt_follows(payment: Payment, refund: Refund, *, actor: User | None, request: HttpRequest | None) -> None:
    """A full refund revokes the receipt; a partial one is noted on its verify page, with the date."""
    receipt = Receipt.objects.select_related("artifact").filter(payment=payment).first()
    if receipt is None or receipt.artifact.status != ArtifactStatus.VALID:
        return
    if payment.status == PaymentStatus.REFUNDED:
        artifact_revoke(artifact=receipt.artifact, reason=RECEIPT_REVOKED, actor=actor, request=request)
    else:
        artifact_note_add(
            artifact=receipt.artifact,
            text=RECEIPT_NOTE,
            params={"amount": f"{refund.amount:,}"},
            at=refund.decided_at,
            actor=actor,
            request=request,
        )


# --- Refunds the provider has not confirmed --------------------------------------------------------


def refund_sync(*, refund: Refund, resend: bool = False) -> Refund:
    """Ask the provider about a pending refund and apply its answer (idempotent). With ``resend``,
    a refund the provider has never heard of (its request was lost) is asked for again, with the
    same key, so that it cannot be made twice."""
    if refund.status != RefundStatus.PENDING:
        return refund
    payment, key = refund.payment, str(refund.pk)

    def question(provider: PaymentProvider) -> RefundAnswer | None:
        answer = provider.refund_status(payment, key=key, provider_ref=refund.provider_ref)
        if answer is None and resend:
            answer = provider.refund(payment, amount=refund.amount, key=key)
        return answer

    return refund_settle(refund=refund, answer=_ask(refund, question))


def refunds_sync_for(*, payment: Payment) -> None:
    """The provider says money went back on ``payment`` (a webhook): settle its pending refunds."""
    for refund in payment.refunds.pending().select_related("payment").order_by("created_at"):
        refund_sync(refund=refund)


def refunds_pending_sync(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Periodic: ask again about refunds still pending (older than a couple of minutes, whose first
    request is over). One unconfirmed for a day goes to staff as a discrepancy, once."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    stale = Refund.objects.pending().filter(created_at__lt=now - dt.timedelta(seconds=REFUND_SYNC_AFTER_SECONDS))
    for refund in stale.select_related("payment").order_by("created_at")[:limit]:
        refund = refund_sync(refund=refund, resend=True)
        counts[refund.status] += 1
        if refund.status == RefundStatus.PENDING and refund.created_at < now - dt.timedelta(
            hours=REFUND_UNCONFIRMED_HOURS
        ):
            if discrepancy_flag(
                kind=DiscrepancyKind.REFUND_UNCONFIRMED,
                payment=refund.payment,
                reported_amount=None,
                detail=f"refund of {refund.amount:,} requested {refund.created_at:%Y-%m-%d %H:%M} UTC, not confirmed",
            ):
                counts["flagged"] += 1
    return dict(counts)
