"""Demo bills, the Fund's outlets and a paid bill with its receipt for ``seed_demo`` (idempotent); the
electricity directorate's billing system and the bills it posted through the API's service.

The outlets are set up as the Fund's head would, through the same services as the staff pages:
two open outlets in different governorates, each with a card terminal and the demo cashier, and a
third still being set up. The Fund has a merchant account with the card acquirer and with First
Iraqi Bank, so that their settlement files are the Fund's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_noop

from collection.constants import WORKING_DAYS, Governorate, OutletStatus, Provider, Purpose, Weekday
from collection.models import MerchantAccount, Obligation, Outlet
from collection.services import (
    CardSlip,
    OutletDetails,
    bill_post,
    cashier_assign,
    obligation_create,
    outlet_create,
    outlet_open,
    outlet_payment_record,
    outlet_update,
    terminal_add,
)
from govportal.accounts.models import User
from govportal.api.demo import demo_api_client
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_render
from govportal.verification.services import verify_url

# (reference, purpose, amount, days from today to the due date, description: read in each reader's language)
DEMO_BILLS = [
    ("IHF-FEE-2026-0001", Purpose.OTHER, 25_000, -5, gettext_noop("Loan file opening fee")),
    ("IHF-FEE-2026-0002", Purpose.OTHER, 15_000, 10, gettext_noop("Property valuation fee")),
    ("IHF-FEE-2026-0003", Purpose.OTHER, 10_000, 40, gettext_noop("Account statement fee")),
]


@dataclass(frozen=True)
class DemoOutlet:
    code: str
    details: OutletDetails
    terminal: str  # its card terminal's ID; none while it is being set up
    opened: bool


DEMO_OUTLETS = [
    DemoOutlet(
        "IHF-BGD-01",
        OutletDetails(
            name_ar="منفذ صندوق الإسكان — الكرخ",
            name_en="Housing Fund outlet — Karkh",
            governorate=Governorate.BAGHDAD,
            address_ar="بغداد، الكرخ، شارع حيفا، قرب ساحة المتحف",
            address_en="Haifa Street, Karkh, Baghdad, near Museum Square",
            phone="07700000101",
            open_days=WORKING_DAYS,
            opens_at=dt.time(8, 0),
            closes_at=dt.time(14, 0),
        ),
        terminal="T-0042",
        opened=True,
    ),
    DemoOutlet(
        "IHF-BSR-01",
        OutletDetails(
            name_ar="منفذ صندوق الإسكان — البصرة",
            name_en="Housing Fund outlet — Basra",
            governorate=Governorate.BASRA,
            address_ar="البصرة، العشار، شارع الكورنيش، مجاور دائرة التسجيل العقاري",
            address_en="Corniche Street, Ashar, Basra, next to the Real Estate Registration office",
            phone="07800000102",
            open_days=WORKING_DAYS | 1 << Weekday.SATURDAY,
            opens_at=dt.time(8, 30),
            closes_at=dt.time(13, 30),
        ),
        terminal="T-0107",
        opened=True,
    ),
    DemoOutlet(
        "IHF-NJF-01",
        OutletDetails(
            name_ar="منفذ صندوق الإسكان — النجف",
            name_en="Housing Fund outlet — Najaf",
            governorate=Governorate.NAJAF,
            address_ar="النجف، حي الأمير، شارع الروان",
            address_en="Al-Rawan Street, Al-Ameer district, Najaf",
            phone="",
            open_days=WORKING_DAYS,
            opens_at=dt.time(8, 0),
            closes_at=dt.time(14, 0),
        ),
        terminal="",
        opened=False,
    ),
]


def demo_outlets(ihf: Entity, head: User, cashier: User) -> Outlet:
    """The Fund's demo outlets, set up by its head; the first one (Karkh)."""
    outlets = []
    for demo in DEMO_OUTLETS:
        outlet = Outlet.objects.filter(code=demo.code).first()
        if outlet is None:
            outlet = outlet_create(entity=ihf, code=demo.code, details=demo.details, actor=head)
        else:  # audited only if something differs (an outlet from before its details were kept)
            outlet = outlet_update(outlet=outlet, details=demo.details, actor=head)
        if demo.terminal and not outlet.terminals.filter(terminal_id=demo.terminal).exists():
            terminal_add(outlet=outlet, terminal_id=demo.terminal, acquirer="SandPay", actor=head)
        if demo.opened:
            cashier_assign(outlet=outlet, cashier=cashier, actor=head)
            if outlet.status == OutletStatus.SETTING_UP:
                outlet = outlet_open(outlet=outlet, actor=head)
        outlets.append(outlet)
    return outlets[0]


# The Fund's merchant accounts (docs/OPERATIONS.md's example files name them).
DEMO_MERCHANT_ACCOUNTS = {Provider.ACQUIRER: "100200300400500", Provider.FIB: "IHF-FIB-0001"}


def demo_merchant_accounts(ihf: Entity) -> None:
    for provider, account_id in DEMO_MERCHANT_ACCOUNTS.items():
        MerchantAccount.objects.get_or_create(provider=provider, account_id=account_id, defaults={"entity": ihf})


def demo_payments() -> dict[str, Any]:
    """The Fund's outlets; three bills for the demo citizen, the first paid at Karkh by card."""
    ihf = Entity.objects.get(code="IHF")
    citizen = User.objects.get(email__startswith="citizen@")
    cashier = User.objects.get(email__startswith="outlet.cashier@")
    # The demo's head also heads the Fund (govportal.web.demo.STAFF), and runs its outlets.
    head = User.objects.get(email__startswith="entity.head@")
    outlet = demo_outlets(ihf, head, cashier)
    demo_merchant_accounts(ihf)
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
                description_args={},
            )
        elif bill.description_args is None:  # made before bills were named in each reader's language
            Obligation.objects.filter(pk=bill.pk).update(description=description, description_args={})
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
        "outlets": reverse("collection:outlets"),
        "outlets_staff": reverse("collection:outlet_list"),
    }


# The electricity distribution directorate of Karkh (Baghdad) bills through the API from its own billing
# system. Its bills name the payer by national ID: the demo citizen's wait until he signs in with the
# national identity (the sandbox identity provider links his e-mail account), and so does the one for
# the Basra identity, who has no account yet.
ELECTRICITY = "MOE-DIST-KARKH"
BILLING_CLIENT_ID = "demo-moe-dist-karkh-billing"
# (subscriber number, national ID, amount, months before this one billed, days from today to the due date)
DEMO_ELECTRICITY_BILLS = [
    ("104422", "199012345678", 41_250, 1, -3),
    ("104422", "199012345678", 37_500, 0, 12),
    ("208871", "199511030527", 18_750, 0, 12),
]


def _month(today: dt.date, back: int) -> dt.date:
    month = today.month - back
    return dt.date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def demo_electricity(password: str) -> list[dict[str, Any]]:
    """The directorate's billing system (an API client) and the bills it posted, through the service the
    API calls (idempotent: a reference posted already is left alone)."""
    client, line = demo_api_client(
        entity_code=ELECTRICITY,
        name="Billing system",
        client_id=BILLING_CLIENT_ID,
        scopes=["bills:write", "bills:read"],
        password=password,
    )
    today = timezone.localdate()
    for subscriber, national_id, amount, back, days in DEMO_ELECTRICITY_BILLS:
        month = _month(today, back)
        reference = f"KRK-{month:%Y-%m}-{subscriber}"
        if not Obligation.objects.filter(collecting_entity=client.entity, reference=reference).exists():
            with translation.override("ar"):  # the directorate's system writes Arabic
                purpose = f"قائمة الكهرباء لشهر {date_format(month, 'F Y')} — المشترك {subscriber}"
            bill_post(
                entity=client.entity,
                national_id=national_id,
                purpose=purpose,
                amount=amount,
                due_date=today + dt.timedelta(days=days),
                reference=reference,
                category=Purpose.ELECTRICITY,
                client=client,
                audit_data={"via": "api", "client": client.client_id},
            )
    return [line]
