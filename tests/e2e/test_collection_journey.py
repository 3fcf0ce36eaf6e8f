"""Electronic payments, end to end in real Chromium.

A citizen pays a bill on the sandbox company's card page with the success card and is sent back
to the result page (the company's signed webhook reaches the live server over HTTP first), downloads
the receipt and its QR code opens the public verify page; a second bill paid with the decline card
stays open. An outlet cashier records a card slip, prints the receipt and sees the day's closing
report. The fund's head sets an outlet up, opens it (citizens then see it on the public list, in both
languages) and closes it through the confirmation page. A fund officer refunds part of a payment for
a fee lowered after payment, through the page that says what will happen; the bill stays paid at its
new amount, the receipt's verify page says it was partly refunded, and more than what remains is
refused with the input kept.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from collection.constants import EventOutcome, ObligationStatus, OutletStatus, PaymentStatus
from collection.models import Obligation, Outlet, Payment, PaymentEvent, Receipt
from collection.providers.sandbox import CARD_SUCCEEDS, charge_pay
from collection.services import Line, payment_start
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from tests.collection.outlets_world import outlet_at_work
from tests.e2e.conftest import BIDI_CONTROLS, arabic, sign_in_as, tool
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory, bill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NATIONAL_ID = "199012345678"
CITIZEN = "زينب علي حسين الموسوي"
# Tasks run in-process here: the company's Pay request waits for its webhook, whose processing
# issues the receipt and renders its PDF (WeasyPrint's first run takes several seconds).
SETTLING = 60_000


def download_receipt(page: Any, link: Any, receipt: Receipt, tmp_path: Path, name: str) -> str:
    """Download the receipt through ``link``, check its text, and return the URL its QR code holds."""
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{receipt.serial}.pdf"
    pdf = tmp_path / f"{name}.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    text = BIDI_CONTROLS.sub("", text)
    assert receipt.serial in text
    assert receipt.payment.payment_ref in text
    assert f"{receipt.payment.amount:,}" in text
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)], check=True
    )
    (png,) = tmp_path.glob(f"{name}*.png")
    scanned = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True
    )
    assert scanned.returncode == 0, scanned.stderr
    return scanned.stdout.strip()


def expect_genuine_receipt(page: Any, url: str, receipt: Receipt, live_server: Any) -> None:
    assert url.startswith(live_server.url), url
    assert urlsplit(url).path == receipt.artifact.path
    page.goto(url)
    expect(page.locator(".panel--genuine")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=arabic("This document is genuine"), exact=True)).to_be_visible()
    expect(page.locator(".status-line .tag")).to_have_text(arabic("Valid"))
    expect(page.locator("main")).to_contain_text(receipt.serial)
    expect(page.locator("main")).not_to_contain_text(CITIZEN)  # the payer's name is masked


def pay_on_sandpay(page: Any, card: str, amount: int) -> None:
    """On the payment company's page: the card, an expiry in the future, a CVC; then Pay."""
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/txn_[0-9a-f]+/$"))
    expect(page.locator("main")).to_contain_text(arabic("%(amount)s IQD") % {"amount": f"{amount:,}"})
    page.fill("#id_card_number", card)
    page.fill("#id_expiry", "08/39")
    page.fill("#id_cvc", "123")
    page.locator("button.sp-pay").click(timeout=SETTLING)
    page.wait_for_load_state()


def choose_and_pay(page: Any, obligation: Obligation) -> None:
    """My bills → tick the bill → Continue → check and pay → Pay."""
    page.goto("/collection/")
    page.check(f"main input[name=bills][value='{obligation.pk}']")
    page.locator("main form").get_by_role("button", name=arabic("Continue")).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/collection/pay/\?.*bills={obligation.pk}"))
    expect(page.locator("main h1")).to_have_text(arabic("Check and pay"))
    expect(page.locator("main .summary-list")).to_contain_text(obligation.reference)
    pay = page.locator("main form[method=post] button[type=submit]")
    expect(pay).to_contain_text(f"{obligation.remaining:,}")
    pay.click()
    page.wait_for_load_state()


def test_citizen_pays_with_the_success_card_then_the_decline_card(
    page, new_page, sign_in, live_server, sandbox, private_files, tmp_path
):
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=CITIZEN).user
    first = bill(citizen, fund, 125_000, days=5, reference="IHF-FEE-2026-0001")
    second = bill(citizen, fund, 40_000, days=35, reference="IHF-FEE-2026-0002")

    sign_in(citizen.email)  # citizens have no authenticator
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    page.goto("/collection/")
    expect(page.locator("main table tbody tr")).to_have_count(2)

    # --- the first bill, with the card that succeeds -----------------------------------------
    choose_and_pay(page, first)
    pay_on_sandpay(page, "4111 1111 1111 1111", 125_000)
    payment = Payment.objects.get(allocations__obligation=first)
    expect(page).to_have_url(re.compile(re.escape(f"/collection/payments/{payment.pk}/return/") + "$"))
    expect(page.locator(".panel--genuine h1")).to_contain_text(arabic("Payment successful"), timeout=SETTLING)
    expect(page.locator(".panel--genuine")).to_contain_text(payment.payment_ref)
    receipt = Receipt.objects.select_related("artifact", "payment").get(payment=payment)
    expect(page.locator(".panel--genuine")).to_contain_text(receipt.serial)

    # The company's webhook, not the return page's own question, is what marked it paid.
    event = PaymentEvent.objects.get(payment_ref=payment.payment_ref)
    assert (event.kind, event.outcome) == ("payment.succeeded", EventOutcome.APPLIED)
    succeeded = AuditEvent.objects.for_target(payment).get(action="payment_succeed")
    assert succeeded.data["source"] == "webhook"

    link = page.locator(f"main a[href='/collection/receipts/{receipt.pk}.pdf']")
    verify = download_receipt(page, link, receipt, tmp_path, "online")
    expect_genuine_receipt(new_page(), verify, receipt, live_server)

    # --- the second bill, with the card that is declined -------------------------------------
    page.goto("/collection/")
    expect(page.locator(f"main input[name=bills][value='{first.pk}']")).to_have_count(0)  # paid: not to choose
    choose_and_pay(page, second)
    pay_on_sandpay(page, "4000 0000 0000 0002", 40_000)
    declined = Payment.objects.get(allocations__obligation=second)
    expect(page).to_have_url(re.compile(re.escape(f"/collection/payments/{declined.pk}/return/") + "$"))
    expect(page.locator(".panel--not-genuine h1")).to_contain_text(arabic("Payment not made"), timeout=SETTLING)
    expect(page.locator(".panel--not-genuine")).to_contain_text(arabic("The card was declined by its bank."))
    expect(page.locator("main a[href^='/collection/receipts/']")).to_have_count(0)

    page.goto("/collection/")
    still_open = page.locator(f"main input[name=bills][value='{second.pk}']")
    expect(still_open).to_be_visible()
    expect(still_open).to_be_checked()  # the choice is kept after a declined card

    # --- what the database holds ---------------------------------------------------------------
    assert Receipt.objects.count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.amount_paid) == (ObligationStatus.PAID, 125_000)
    assert (second.status, second.amount_paid) == (ObligationStatus.OPEN, 0)
    payment.refresh_from_db()
    declined.refresh_from_db()
    assert (payment.status, payment.card_last4) == (PaymentStatus.SUCCEEDED, "1111")
    assert (declined.status, declined.failure_reason) == (PaymentStatus.FAILED, "card_declined")
    events = {e.payment_ref: (e.kind, e.outcome) for e in PaymentEvent.objects.all()}
    assert events == {
        payment.payment_ref: ("payment.succeeded", EventOutcome.APPLIED),
        declined.payment_ref: ("payment.failed", EventOutcome.APPLIED),
    }


def test_outlet_cashier_records_a_card_slip(page, new_page, live_server, sandbox, private_files, tmp_path):
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=CITIZEN).user
    first = bill(citizen, fund, 125_000, days=5, reference="IHF-FEE-2026-0001")
    second = bill(citizen, fund, 40_000, days=35, reference="IHF-FEE-2026-0002")
    cashier = MembershipFactory(role=Role.OUTLET_CASHIER, entity=fund, user__full_name="حسن كريم").user
    outlet = outlet_at_work(fund, cashiers=[cashier], code="IHF-BGD-01", name_ar="منفذ الكرخ", name_en="Karkh outlet")

    sign_in_as(page, cashier)
    page.goto("/collection/outlet/")
    page.fill("input[name=national_id]", NATIONAL_ID)
    page.get_by_role("button", name=arabic("Find the citizen's bills")).click()
    page.wait_for_load_state()
    expect(page.locator("main h2")).to_contain_text(CITIZEN)
    slip = page.locator("form[action='/collection/outlet/pay/']")
    expect(slip.locator("input[name=bills]")).to_have_count(2)
    slip.locator(f"input[name=bills][value='{first.pk}']").check()
    slip.locator("select[name=terminal_id]").select_option("T-0042")
    slip.locator("input[name=approval_code]").fill("a1b2c3")
    slip.locator("input[name=rrn]").fill("612345678901")
    slip.locator("input[name=card_last4]").fill("4242")
    slip.get_by_role("button", name=arabic("Record the card payment")).click()
    page.wait_for_load_state()

    payment = Payment.objects.select_related("receipt__artifact").get()
    expect(page).to_have_url(re.compile(re.escape(f"/collection/outlet/payments/{payment.pk}/") + "$"))
    expect(page.locator(".panel--genuine h1")).to_contain_text(arabic("Payment recorded"))
    expect(page.locator(".panel--genuine")).to_contain_text(payment.receipt.serial)
    expect(page.locator(".banner--success")).to_contain_text(payment.payment_ref)
    assert (payment.outlet, payment.cashier, payment.amount) == (outlet, cashier, 125_000)
    assert (payment.terminal_id, payment.approval_code, payment.rrn, payment.card_last4) == (
        "T-0042",
        "A1B2C3",
        "612345678901",
        "4242",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ObligationStatus.PAID, ObligationStatus.OPEN)

    receipt = payment.receipt
    link = page.get_by_role("link", name=arabic("Print the receipt (PDF)"))
    verify = download_receipt(page, link, receipt, tmp_path, "outlet")
    expect_genuine_receipt(new_page(), verify, receipt, live_server)

    # --- the day's closing report ----------------------------------------------------------------
    page.get_by_role("link", name=arabic("Take another payment")).click()
    expect(page).to_have_url(re.compile(r"/collection/outlet/$"))
    page.get_by_role("link", name=arabic("Closing report")).click()
    page.wait_for_load_state()
    expect(page.locator("main h2")).to_contain_text(outlet.name_ar)
    expect(page.locator("input[name=day]")).to_have_value(timezone.localdate().isoformat())
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("T-0042")
    expect(rows.first).to_contain_text("حسن كريم")
    total = arabic("%(amount)s IQD") % {"amount": "125,000"}
    expect(page.locator("main table tfoot")).to_contain_text(total)


def outlet_status(status: OutletStatus) -> str:
    with translation.override("ar"):
        return str(status.label)


def test_the_fund_head_sets_up_opens_and_closes_an_outlet_that_citizens_see(page, new_page, live_server):
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    head = MembershipFactory(role=Role.ENTITY_HEAD, entity=fund, user__full_name="علي حسين الجبوري").user
    cashier = MembershipFactory(role=Role.OUTLET_CASHIER, entity=fund, user__full_name="حسن كريم").user

    sign_in_as(page, head)
    page.goto(f"/workspace/{fund.code}/")
    page.get_by_role("link", name=arabic("Payment outlets")).click()
    page.get_by_role("link", name=arabic("Set up a new outlet")).first.click()
    page.fill("input[name=code]", "ihf-bsr-01")
    page.fill("input[name=name_ar]", "منفذ صندوق الإسكان — البصرة")
    page.fill("input[name=name_en]", "Housing Fund outlet — Basra")
    page.select_option("select[name=governorate]", "basra")
    page.fill("input[name=address_ar]", "البصرة، العشار، شارع الكورنيش")
    page.fill("input[name=address_en]", "Corniche Street, Ashar, Basra")
    page.fill("input[name=phone]", "07800000102")
    page.get_by_label(arabic("Saturday")).check()
    page.fill("input[name=opens_at]", "08:30")
    page.fill("input[name=closes_at]", "13:30")
    page.get_by_role("button", name=arabic("Create the outlet")).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/collection/staff/outlets/IHF-BSR-01/$"))
    expect(page.locator("main .tag").first).to_have_text(outlet_status(OutletStatus.SETTING_UP))
    expect(page.locator("main .banner:not(.banner--success)")).to_contain_text(
        arabic("Add at least one card terminal.")
    )

    page.get_by_role("link", name=arabic("Add a card terminal")).click()
    page.fill("input[name=terminal_id]", "10042718")
    page.fill("input[name=acquirer]", "SandPay")
    page.get_by_role("button", name=arabic("Add the terminal")).click()
    page.wait_for_load_state()
    expect(page.locator("#terminals + .table-wrap tbody tr")).to_contain_text("10042718")
    page.select_option("select[name=cashier]", str(cashier.pk))
    page.get_by_role("button", name=arabic("Assign the cashier")).click()
    page.wait_for_load_state()
    expect(page.locator("#cashiers + .table-wrap tbody tr")).to_contain_text("حسن كريم")
    page.get_by_role("button", name=arabic("Open the outlet to citizens")).click()
    page.wait_for_load_state()
    expect(page.locator(".banner--success")).to_be_visible()

    citizen = new_page()
    citizen.goto("/collection/outlets/")
    card = citizen.locator("main .outlet-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("منفذ صندوق الإسكان — البصرة")
    expect(card).to_contain_text("البصرة، العشار، شارع الكورنيش")
    citizen.locator("header button[name=language][value=en]").click()
    citizen.wait_for_load_state()
    expect(card).to_contain_text("Housing Fund outlet — Basra")
    expect(card).to_contain_text("Saturday to Thursday, 08:30 to 13:30")
    expect(card).to_contain_text("07800000102")

    page.get_by_role("link", name=arabic("Close the outlet")).click()
    page.wait_for_load_state()
    expect(page.locator("main .banner--error")).to_contain_text(arabic("If you close this outlet:"))
    page.fill("textarea[name=reason]", "انتقال المنفذ إلى بناية جديدة")
    page.get_by_role("button", name=arabic("Close the outlet")).click()
    page.wait_for_load_state()
    expect(page.locator("main .tag").first).to_have_text(outlet_status(OutletStatus.CLOSED))
    expect(page.locator("main .banner:not(.banner--success)")).to_contain_text("انتقال المنفذ إلى بناية جديدة")
    citizen.reload()
    expect(citizen.locator("main .outlet-card")).to_have_count(0)
    expect(citizen.locator("main .empty-state")).to_be_visible()

    outlet = Outlet.objects.get(code="IHF-BSR-01")
    assert list(AuditEvent.objects.for_target(outlet).order_by("id").values_list("action", "actor")) == [
        ("outlet_create", head.pk),
        ("terminal_add", head.pk),
        ("cashier_assign", head.pk),
        ("outlet_open", head.pk),
        ("outlet_close", head.pk),
    ]


def test_fund_officer_refunds_part_of_a_payment(page, new_page, live_server, sandbox):
    """A fee lowered after payment: the officer checks what will happen, confirms, and the bill stays
    paid at its new amount; the receipt's verify page says it was partly refunded."""
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=CITIZEN).user
    officer = MembershipFactory(role=Role.FUND_OFFICER, entity=fund).user
    obligation = bill(citizen, fund, 100_000, days=5, reference="IHF-FEE-2026-0001")
    started = payment_start(
        payer=citizen, lines=[Line(obligation=obligation, amount=100_000)], base_url=live_server.url
    )
    charge_pay(charge_id=started.provider_ref, card_number=CARD_SUCCEEDS)  # its webhook reaches the live server
    payment = Payment.objects.get(pk=started.pk)
    assert payment.status == PaymentStatus.SUCCEEDED

    sign_in_as(page, officer)
    page.goto("/collection/staff/payments/")
    page.get_by_role("link", name=payment.payment_ref).click()
    detail = f"/collection/staff/payments/{payment.pk}/"
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    page.get_by_role("link", name=arabic("Refund this payment")).click()
    page.wait_for_load_state()
    expect(page.locator("input[name=amount]")).to_have_value("100000")

    note = "خُفّض رسم التقييم بقرار المدير العام"
    page.fill("input[name=amount]", "30000")
    page.check("input[name=reason][value=reduced]")
    page.fill("textarea[name=note]", note)
    page.get_by_role("button", name=arabic("Continue")).click()
    page.wait_for_load_state()

    # --- check the refund before it is sent: what happens to the bill and to the receipt ----------------
    expect(page.locator("main h1")).to_have_text(arabic("Check the refund before you send it"))
    consequences = page.locator(".consequences")
    expect(consequences).to_contain_text(obligation.reference)
    expect(consequences).to_contain_text(arabic("%(amount)s IQD") % {"amount": "70,000"})
    expect(consequences).to_contain_text(payment.receipt.serial)
    expect(page.locator(".warning-text")).to_contain_text(arabic("This cannot be undone."))
    assert not payment.refunds.exists()  # nothing sent yet
    button = arabic("Refund %(amount)s") % {"amount": arabic("%(amount)s IQD") % {"amount": "30,000"}}
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator(".banner--success")).to_contain_text(payment.payment_ref)
    expect(page.locator(".banner--success")).to_contain_text("30,000")
    expect(page.locator("main .summary-list .tag").first).to_have_text(arabic("Partially refunded"))
    expect(page.get_by_role("region", name=arabic("Refunds"), exact=True)).to_contain_text(note)
    expect(page.get_by_role("region", name=arabic("Refunds"), exact=True)).to_contain_text(arabic("Refunded"))

    # more than what remains: the error summary, and what was typed is kept
    page.get_by_role("link", name=arabic("Refund this payment")).click()
    page.wait_for_load_state()
    expect(page.locator("input[name=amount]")).to_have_value("70000")
    page.fill("input[name=amount]", "80000")
    page.check("input[name=reason][value=error]")
    page.fill("textarea[name=note]", "خطأ في المبلغ")
    page.get_by_role("button", name=arabic("Continue")).click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(arabic("At most %(left)s dinars remain to refund.") % {"left": "70,000"})
    expect(page.locator("input[name=amount]")).to_have_value("80000")
    expect(page.locator("input[name=reason][value=error]")).to_be_checked()
    expect(page.locator("textarea[name=note]")).to_have_value("خطأ في المبلغ")

    # --- the receipt's public page no longer shows the full amount as plainly valid ----------------------
    visitor = new_page()
    visitor.goto(payment.receipt.artifact.path)
    expect(visitor.locator(".panel--changed h1")).to_have_text(
        re.compile(re.escape(arabic("This document is genuine, but it has changed since it was issued")))
    )
    expect(visitor.locator(".status-line .tag")).to_have_text(arabic("Valid, with changes"))
    expect(visitor.locator(".status-notes")).to_contain_text("30,000")
    expect(visitor.locator(".panel--genuine")).to_have_count(0)

    payment.refresh_from_db()
    obligation.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, 30_000)
    assert (obligation.status, obligation.amount, obligation.amount_paid) == (ObligationStatus.PAID, 70_000, 70_000)
    assert list(payment.refunds.values_list("amount", "reason", "note", "status")) == [
        (30_000, "reduced", note, "succeeded")
    ]
    # the company's refund notification came back over HTTP and matched what was recorded here
    refunded = PaymentEvent.objects.get(kind="payment.refunded")
    assert (refunded.payment_ref, refunded.outcome) == (payment.payment_ref, EventOutcome.IGNORED)


def test_a_declined_card_is_tried_again_with_another_card_for_the_same_bills(
    page, sign_in, live_server, sandbox, monkeypatch
):
    from govportal.pdf.tasks import pdf_render

    monkeypatch.setattr(pdf_render, "apply_async", lambda *args, **kwargs: None)  # the receipt's PDF: not here
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=CITIZEN).user
    first = bill(citizen, fund, 125_000, days=5, reference="IHF-FEE-2026-0001")
    second = bill(citizen, fund, 40_000, days=35, reference="IHF-FEE-2026-0002")
    other = bill(citizen, fund, 10_000, days=60, reference="IHF-FEE-2026-0003")
    sign_in(citizen.email)

    # --- two of the three bills, with the card that is declined ------------------------------------
    page.goto("/collection/")
    page.check(f"main input[name=bills][value='{first.pk}']")
    page.check(f"main input[name=bills][value='{second.pk}']")
    page.locator("main form").get_by_role("button", name=arabic("Continue")).click()
    page.wait_for_load_state()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    pay_on_sandpay(page, "4000 0000 0000 0002", 165_000)
    declined = Payment.objects.get()
    expect(page.locator(".panel--not-genuine h1")).to_contain_text(arabic("Payment not made"), timeout=SETTLING)

    # --- back on the bills page, the choice is kept -------------------------------------------------
    page.goto("/collection/")
    expect(page.locator(f"main input[name=bills][value='{first.pk}']")).to_be_checked()
    expect(page.locator(f"main input[name=bills][value='{second.pk}']")).to_be_checked()
    expect(page.locator(f"main input[name=bills][value='{other.pk}']")).not_to_be_checked()
    expect(page.locator("main")).to_contain_text(declined.payment_ref)

    # --- another card, straight from the result page: the same bills, the card page at once ----------
    page.goto(f"/collection/payments/{declined.pk}/return/")
    page.get_by_role("button", name=arabic("Try another card")).click()
    page.wait_for_load_state()
    pay_on_sandpay(page, "4111 1111 1111 1111", 165_000)
    expect(page.locator(".panel--genuine h1")).to_contain_text(arabic("Payment successful"), timeout=SETTLING)
    retry = Payment.objects.exclude(pk=declined.pk).get()
    expect(page).to_have_url(re.compile(re.escape(f"/collection/payments/{retry.pk}/return/") + "$"))
    assert retry.status == PaymentStatus.SUCCEEDED
    assert set(retry.allocations.values_list("obligation", "amount")) == {(first.pk, 125_000), (second.pk, 40_000)}
    assert set(declined.allocations.values_list("obligation", flat=True)) == {first.pk, second.pk}
    first.refresh_from_db()
    other.refresh_from_db()
    assert (first.status, other.status) == (ObligationStatus.PAID, ObligationStatus.OPEN)


def fully_visible(page: Any, locator: Any) -> None:
    """Each element lies inside the viewport's width and is not clipped by a scrolling box."""
    width = page.viewport_size["width"]
    count = locator.count()
    assert count
    for index in range(count):
        element = locator.nth(index)
        box = element.bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (box, width)
        clipped = element.evaluate(
            """el => { for (let p = el.parentElement; p; p = p.parentElement) {
                 const s = getComputedStyle(p);
                 if (s.overflowX !== 'visible' && p.scrollWidth > p.clientWidth + 1) return true; }
               return el.scrollWidth > el.clientWidth + 1; }"""
        )
        assert not clipped, element.inner_text()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_bills_table_takes_the_page_and_cuts_off_no_status_or_amount(
    page, sign_in, live_server, choose_language, width, language
):
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=CITIZEN).user
    late = bill(citizen, fund, 210_416, days=-30, reference="IHF-BGD-2024-00417-1-013")
    Obligation.objects.filter(pk=late.pk).update(
        description="Installment %(number)s of loan %(loan)s",
        description_args={"number": 13, "loan": "IHF-BGD-2024-00417"},
    )
    bill(citizen, fund, 1_250_000, days=10, reference="IHF-FEE-2026-0002")
    choose_language(language)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(citizen.email)
    page.goto("/collection/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing scrolls sideways
    fully_visible(page, page.locator("main table tbody .tag"))
    fully_visible(page, page.locator("main table tbody td.num bdi"))
    if width == 1280:  # on a phone the column names are read beside each value instead
        fully_visible(page, page.locator("main table thead th"))
    with translation.override(language):
        overdue = pgettext("bill status", "Overdue")
    expect(page.locator("main table tbody .tag").first).to_have_text(overdue)
    if width == 1280:  # the table takes the page's width, not a narrow form's
        table, main = page.locator("main table").first.bounding_box(), page.locator("main").bounding_box()
        assert table is not None and main is not None and table["width"] >= 0.95 * main["width"]
