"""Bills (obligations): who may, listeners told of changes to what was paid, creating, cancelling, closing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from collection.constants import ObligationStatus
from collection.models import Obligation, Payment
from collection.services.client_events import bill_cancelled_tell
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity

REFUND_ROLES = (Role.FUND_OFFICER,)
STAFF_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD, Role.AUDITOR)


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
    payer: User | None,
    payer_national_id: str = "",
    collecting_entity: Entity,
    purpose: str,
    reference: str,
    amount: int,
    due_date: dt.date,
    description: str = "",
    description_args: dict[str, Any] | None = None,
    actor: Any = None,
    audit_data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Obligation:
    """A bill for ``payer``. Domain apps (the housing fund) create theirs through this. A bill posted
    by another agency may have no payer yet, only ``payer_national_id`` (see ``bill_post``).

    ``description`` is the entity's own words; with ``description_args`` (a dict, maybe empty) it is a
    msgid (marked with gettext_noop) that each reader sees translated, filled with those arguments."""
    if payer is None and not payer_national_id:
        raise ValidationError(_("A bill needs a payer or the payer's national ID."), code="payer")
    if amount <= 0:
        raise ValidationError(_("A bill's amount must be more than zero."), code="amount")
    if Obligation.objects.filter(collecting_entity=collecting_entity, reference=reference).exists():
        raise ValidationError(
            _("A bill with reference %(reference)s already exists.") % {"reference": reference},
            code="duplicate_reference",
        )
    obligation = Obligation.objects.create(
        payer=payer,
        payer_national_id=payer_national_id,
        collecting_entity=collecting_entity,
        purpose=purpose,
        reference=reference,
        amount=amount,
        due_date=due_date,
        description=description,
        description_args=description_args,
    )
    audit_record(
        action="obligation_create",
        actor=actor,
        entity=collecting_entity,
        target=obligation,
        data={"reference": reference, "amount": amount, **(audit_data or {})},
        request=request,
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
    return obligation_cancel_unpaid(obligation=obligation, actor=actor, audit_data={"reason": reason})


@transaction.atomic
def obligation_cancel_unpaid(
    *,
    obligation: Obligation,
    actor: User | None = None,
    audit_data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Obligation:
    """The cancelling itself, for a caller that checked who may (a member of staff, an agency's API
    client): refused (code ``not_open``) unless the bill is unpaid with no payment under way."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.status != ObligationStatus.OPEN or _payments_in_progress([obligation]):
        raise ValidationError(_("Only an unpaid bill with no payment under way can be cancelled."), code="not_open")
    obligation.status = ObligationStatus.CANCELLED
    obligation.save(update_fields=["status"])
    audit_record(
        action="obligation_cancel",
        actor=actor,
        entity=obligation.collecting_entity,
        target=obligation,
        data=audit_data or {},
        request=request,
    )
    bill_cancelled_tell(bill=obligation)
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
    if obligation.status == ObligationStatus.CANCELLED:
        bill_cancelled_tell(bill=obligation)
    return obligation


def _obligation_status(obligation: Obligation) -> str:
    if obligation.amount_paid >= obligation.amount:
        return ObligationStatus.PAID
    return ObligationStatus.PARTIALLY_PAID if obligation.amount_paid else ObligationStatus.OPEN
