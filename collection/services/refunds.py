"""Refunds: giving back all or part of a succeeded payment and taking it off the bills."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collection.constants import ObligationStatus, PaymentStatus, Provider
from collection.models import Obligation, Payment, Refund
from collection.providers import ProviderError, get_provider
from collection.services.bills import REFUND_ROLES, _obligation_status, _obligations_changed, _require_role
from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.notifications.services import notify
from govportal.verification.services import artifact_revoke

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
