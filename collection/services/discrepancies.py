"""Discrepancies: putting a payment in front of staff, and closing the question with what was done."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.models import Discrepancy, Payment
from collection.services.bills import _require_role
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.audit.services import audit_record

logger = logging.getLogger(__name__)


# --- Discrepancies ---------------------------------------------------------------------


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
