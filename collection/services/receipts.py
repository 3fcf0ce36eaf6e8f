"""Receipts: signing and numbering a succeeded payment's receipt, and its PDF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from collection.constants import RECEIPT_REGISTER
from collection.models import Payment, Receipt
from govportal.entities.models import Entity
from govportal.numbering.services import counter_next
from govportal.pdf.services import pdf_queue
from govportal.verification import display
from govportal.verification.constants import ArtifactKind
from govportal.verification.services import Signer, canonical_bytes, mask_name, verify_url

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
    return canonical_bytes(facts)


def receipt_display(receipt: Receipt) -> list[tuple[str, display.Value]]:
    """What the public verify page shows: the amount and the moment as values, written out for the
    reader (in Baghdad time); the payer masked."""
    payment = receipt.payment
    return [
        (gettext_noop("Amount paid"), display.amount(payment.amount)),
        (gettext_noop("Payment reference"), display.ltr(payment.payment_ref)),
        (gettext_noop("Paid by"), receipt_payer(receipt) or "-"),
        (gettext_noop("Paid at"), display.moment(payment.succeeded_at or receipt.issued_at)),
    ]


def receipt_payer(receipt: Receipt) -> str:
    """The payer's name as the verify page shows it and the token carries it: initials only
    ("" for an account with no name, whose token then names no holder)."""
    return mask_name(receipt.payment.payer.full_name)


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
        holder=receipt_payer(receipt),
    )
    artifact.save(force_insert=True)
    receipt.artifact = artifact
    receipt.save(force_insert=True)
    pdf_queue(receipt)
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
