"""Demo bills, an outlet and a paid bill with its receipt for ``seed_demo`` (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from collection.constants import Purpose
from collection.models import Obligation, Outlet
from collection.services import CardSlip, obligation_create, outlet_payment_record
from govportal.accounts.models import User
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_render
from govportal.verification.services import verify_url

# (reference, purpose, amount, days from today to the due date, description)
DEMO_BILLS = [
    ("IHF-FEE-2026-0001", Purpose.OTHER, 25_000, -5, "رسوم فتح ملف قرض"),
    ("IHF-FEE-2026-0002", Purpose.OTHER, 15_000, 10, "رسوم تقييم العقار"),
    ("IHF-FEE-2026-0003", Purpose.OTHER, 10_000, 40, "رسوم إصدار كشف حساب"),
]


def demo_payments() -> dict[str, Any]:
    """An IHF outlet; three bills for the demo citizen, the first paid there by card."""
    ihf = Entity.objects.get(code="IHF")
    citizen = User.objects.get(email__startswith="citizen@")
    cashier = User.objects.get(email__startswith="outlet.cashier@")
    outlet, _created = Outlet.objects.get_or_create(
        code="IHF-BGD-01",
        defaults={
            "entity": ihf,
            "name_ar": "منفذ صندوق الإسكان — الكرخ",
            "name_en": "Housing Fund outlet — Karkh",
            "address": "بغداد، الكرخ، شارع حيفا",
        },
    )
    today = timezone.localdate()
    bills = []
    for reference, purpose, amount, days, description in DEMO_BILLS:
        bill = Obligation.objects.filter(collecting_entity=ihf, reference=reference).first()
        if bill is None:
            bill = obligation_create(
                payer=citizen,
                collecting_entity=ihf,
                purpose=purpose,
                reference=reference,
                amount=amount,
                due_date=today + dt.timedelta(days=days),
                description=description,
            )
        bills.append(bill)
    first = bills[0]
    allocation = first.allocations.filter(payment__receipt__isnull=False).select_related("payment__receipt").first()
    if allocation is None:
        payment = outlet_payment_record(
            cashier=cashier,
            outlet=outlet,
            payer=citizen,
            obligations=[first],
            slip=CardSlip(terminal_id="T-0042", approval_code="A1B2C3", rrn="612345678901", card_last4="4242"),
        )
        receipt = payment.receipt
    else:
        receipt = allocation.payment.receipt
    pdf_render(instance=receipt)
    return {
        "receipt": verify_url(receipt.artifact),
        "receipt_pdf": reverse("collection:receipt_pdf", args=[receipt.pk]),
    }
