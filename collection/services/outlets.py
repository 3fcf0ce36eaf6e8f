"""Outlets: recording an in-person card payment from the terminal's slip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.constants import Method, PaymentStatus, Provider
from collection.models import Allocation, Obligation, Outlet, Payment
from collection.services.bills import _payments_in_progress, _require_role
from collection.services.payments import (
    Line,
    _basket_key,
    _locked_lines,
    _new_payment_ref,
    _payment_succeeded,
    payment_cancel,
)
from govportal.accounts.constants import Role
from govportal.accounts.models import User

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
