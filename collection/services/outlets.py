"""Outlets: recording an in-person card payment from the terminal's slip.

Setting outlets up, their terminals and cashiers is ``collection.services.outlet_network``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.constants import Method, OutletStatus, PaymentStatus, Provider
from collection.models import Allocation, CashierAssignment, Obligation, Outlet, Payment, Terminal
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
        errors["terminal_id"] = _("Choose the terminal the card was taken on.")
    if not (slip.approval_code.isalnum() and 2 <= len(slip.approval_code) <= 12):
        errors["approval_code"] = _("Enter the approval code printed on the card slip (letters and digits).")
    if not (slip.rrn.isdigit() and len(slip.rrn) == 12):
        errors["rrn"] = _("The RRN has 12 digits.")
    if not (slip.card_last4.isdigit() and len(slip.card_last4) == 4):
        errors["card_last4"] = _("Enter the last 4 digits of the card.")
    return errors


def _counter_refusal(*, outlet: Outlet, cashier: User, terminal_id: str) -> ValidationError | None:
    """Why ``cashier`` may not record a slip of ``terminal_id`` at ``outlet`` now, if they may not:
    only at an open outlet they are assigned to, on one of its open terminals."""
    if outlet.status != OutletStatus.OPEN:
        return ValidationError(_("This outlet is not open."), code="outlet_closed")
    if not CashierAssignment.objects.filter(outlet=outlet, cashier=cashier).exists():
        return ValidationError(
            _("You are not assigned to this outlet. Ask the head of your entity to assign you."), code="not_assigned"
        )
    if not Terminal.objects.open().filter(outlet=outlet, terminal_id=terminal_id).exists():
        return ValidationError(
            {
                "terminal_id": ValidationError(
                    _("Terminal %(terminal)s is not open at this outlet.") % {"terminal": terminal_id},
                    code="terminal_closed",
                )
            }
        )
    return None


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
    have gone through, the bills are paid and the outlet payment is refused.

    Only at an open outlet the cashier is assigned to, on one of its open terminals: checked
    before anything is cancelled, and again under the outlet's row lock, which the head's
    changes to the outlet take too (``outlet_network``)."""
    _require_role(cashier, outlet.entity, (Role.OUTLET_CASHIER,))
    errors = _slip_errors(slip)
    if errors:
        raise ValidationError(errors)
    terminal_id = slip.terminal_id.strip()
    refusal = _counter_refusal(outlet=outlet, cashier=cashier, terminal_id=terminal_id)
    if refusal:
        raise refusal
    for pending in _payments_in_progress(obligations):
        payment_cancel(payment=pending, actor=cashier)
    with transaction.atomic():
        outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
        refusal = _counter_refusal(outlet=outlet, cashier=cashier, terminal_id=terminal_id)
        if refusal:
            raise refusal
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
            terminal_id=terminal_id,
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
