"""Housing loans, end to end in real Chromium.

A fund officer looks at the arrears aging report: the loan is overdue. The borrower links the loan
from their account page (loan number, national ID, date of birth), pays the two overdue installments
on the sandbox company's card page (its signed webhook reaches the live server over HTTP), sees the
schedule update, downloads a statement and a receipt whose QR codes open the public verify page;
the officer's report then shows the loan as current. A wrong date of birth links nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from collection.constants import EventOutcome, PaymentStatus
from collection.models import Payment, PaymentEvent, Receipt
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.web.templatetags.ui import dinars
from housing_fund.constants import InstallmentState as S
from housing_fund.models import Installment, Loan, Statement
from housing_fund.services import loan_create
from tests.e2e.conftest import BIDI_CONTROLS, arabic, sign_in_as, tool
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NATIONAL_ID = "199012345678"
BIRTH = dt.date(1990, 3, 14)
BORROWER = "أحمد كريم العبيدي"
NUMBER = "IHF-2025-000417"
# The company's Pay request waits for its webhook, whose processing issues the receipt and renders
# its PDF in-process (WeasyPrint's first run takes several seconds).
SETTLING = 60_000


def label(state: S) -> str:
    """An installment state's tag as the Arabic pages show it."""
    with translation.override("ar"):
        return str(state.label)


def iqd(amount: int) -> str:
    """An amount as the Arabic pages show it."""
    with translation.override("ar"):
        return dinars(amount)


def branch_and_loan() -> tuple[Any, Loan, Any, Any]:
    """A branch with a 12 × 100,000 loan that started 75 days ago (installments 1 and 2 overdue),
    its borrower's portal account (not linked yet) and a fund officer."""
    branch = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    loan = loan_create(
        number=NUMBER,
        borrower_name=BORROWER,
        borrower_national_id=NATIONAL_ID,
        borrower_birth_date=BIRTH,
        purpose="build",
        principal=1_200_000,
        admin_fee=0,
        term_months=12,
        start_date=timezone.localdate() - dt.timedelta(days=75),
        branch=branch,
    )
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=BORROWER).user
    officer = MembershipFactory(role=Role.FUND_OFFICER, entity=branch, user__full_name="سارة محمود").user
    return branch, loan, citizen, officer


def aging_row(page: Any, label: str) -> Any:
    """The arrears report's row of one bucket: [loans, share, amount overdue]."""
    header = page.get_by_role("rowheader", name=label, exact=True)
    return page.locator("main table tbody tr").filter(has=header).locator("td")


def expect_bucket(page: Any, label: str, count: int, amount: int) -> None:
    cells = aging_row(page, label)
    expect(cells.nth(0)).to_have_text(f"{count:,}")
    expect(cells.nth(2)).to_have_text(iqd(amount))


def download(page: Any, trigger: Any, tmp_path: Path, name: str) -> tuple[Any, Path, str]:
    """Press ``trigger``, save the PDF it downloads; its text and the file."""
    with page.expect_download(timeout=SETTLING) as info:
        trigger.click()
    got = info.value
    pdf = tmp_path / f"{name}.pdf"
    got.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return got, pdf, BIDI_CONTROLS.sub("", text)


def scan_qr(pdf: Path, tmp_path: Path, name: str) -> str:
    """Every page of the PDF as an image, scanned for QR codes: the one URL found."""
    subprocess.run([tool("pdftoppm"), "-png", "-r", "150", str(pdf), str(tmp_path / name)], check=True)
    pages = sorted(str(png) for png in tmp_path.glob(f"{name}*.png"))
    assert pages
    scanned = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", *pages], capture_output=True, text=True
    )
    # 4: some page has no code (the QR is on one page only); the one found is what counts.
    assert scanned.returncode in (0, 4), scanned.stderr
    urls = scanned.stdout.split()
    assert len(urls) == 1, urls
    return urls[0]


def expect_genuine(page: Any, url: str, artifact: Any, serial: str, live_server: Any) -> None:
    assert url.startswith(live_server.url), url
    assert urlsplit(url).path == artifact.path
    page.goto(url)
    expect(page.locator(".panel--genuine")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=arabic("This document is genuine"), exact=True)).to_be_visible()
    expect(page.locator(".status-line .tag")).to_have_text(arabic("Valid"))
    expect(page.locator("main")).to_contain_text(serial)
    expect(page.locator("main")).not_to_contain_text(BORROWER)  # the borrower's name is masked


def test_borrower_links_the_loan_pays_two_installments_and_the_arrears_report_follows(
    page, new_page, sign_in, live_server, sandbox, private_files, tmp_path
):
    _branch, loan, citizen, officer = branch_and_loan()
    today = timezone.localdate()
    first, second, third = Installment.objects.filter(loan=loan).order_by("number")[:3]
    assert first.due_date < second.due_date < today <= third.due_date  # as the scene intends
    days = (today - first.due_date).days  # the oldest unpaid installment decides the bucket
    bucket = arabic("1–30 days") if days <= 30 else arabic("31–60 days")
    current = arabic("Current")

    # --- the fund officer's arrears report: the loan is overdue ----------------------------------
    desk = new_page()
    sign_in_as(desk, officer)
    desk.goto("/housing/arrears/")
    expect(desk.locator("main h1")).to_have_text(arabic("Arrears aging"))
    expect_bucket(desk, bucket, 1, 200_000)
    expect_bucket(desk, current, 0, 0)
    expect(desk.locator("main table tfoot")).to_contain_text(iqd(200_000))

    # --- the borrower links the loan from their account page ------------------------------------
    sign_in(citizen.email)  # citizens have no authenticator
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    page.goto("/me/")
    page.get_by_role("link", name=arabic("Link your housing loan"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/housing/link/$"))
    page.fill("input[name=number]", NUMBER.lower())  # as typed; the portal reads it in capitals
    page.fill("input[name=national_id]", NATIONAL_ID)
    page.fill("input[name=birth_date]", BIRTH.isoformat())
    page.get_by_role("button", name=arabic("Link the loan")).click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(re.escape(f"/housing/loans/{loan.pk}/") + "$"))
    expect(page.locator(".banner--success")).to_contain_text(NUMBER)
    expect(page.locator("main h1")).to_contain_text(NUMBER)
    expect(page.locator("main .banner--error")).to_contain_text(iqd(200_000))  # what is overdue
    balance = page.locator("main .summary-list__row").first
    expect(balance).to_contain_text(iqd(1_200_000))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(6)  # what is due and the next three, not the whole schedule
    for index, state in enumerate([S.OVERDUE, S.OVERDUE, S.DUE, S.UPCOMING]):
        expect(rows.nth(index).locator(".tag")).to_have_text(label(state))
    expect(page.locator("main a[href$='/schedule/']")).to_contain_text("12")
    loan.refresh_from_db()
    assert loan.borrower == citizen

    # --- the next two installments: only the chosen input shows; a check page, then the card ------
    count, amount = page.locator("input[name=count]"), page.locator("input[name=amount]")
    expect(count).to_be_visible()
    expect(amount).to_be_hidden()
    page.check("input[name=how][value=amount]")
    expect(amount).to_be_visible()
    expect(count).to_be_hidden()
    page.check("input[name=how][value=count]")
    page.fill("input[name=count]", "2")
    page.get_by_role("button", name=arabic("Continue"), exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("main h1")).to_have_text(arabic("Check and pay"))
    plan = page.locator("main table tbody tr")
    expect(plan).to_have_count(2)
    expect(plan.nth(0)).to_contain_text(iqd(100_000))
    expect(page.locator("main .summary-list")).to_contain_text(iqd(200_000))
    assert not Payment.objects.exists()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/txn_[0-9a-f]+/$"))
    expect(page.locator("main")).to_contain_text(arabic("%(amount)s IQD") % {"amount": "200,000"})
    page.fill("#id_card_number", "4111 1111 1111 1111")
    page.fill("#id_expiry", "08/39")
    page.fill("#id_cvc", "123")
    page.locator("button.sp-pay").click(timeout=SETTLING)
    page.wait_for_load_state()

    payment = Payment.objects.filter(allocations__obligation__installment__loan=loan).distinct().get()
    expect(page).to_have_url(re.compile(re.escape(f"/collection/payments/{payment.pk}/return/") + "$"))
    expect(page.locator(".panel--genuine h1")).to_contain_text(arabic("Payment successful"), timeout=SETTLING)
    expect(page.locator(".panel--genuine")).to_contain_text(payment.payment_ref)
    receipt = Receipt.objects.select_related("artifact", "payment").get(payment=payment)
    expect(page.locator(".panel--genuine")).to_contain_text(receipt.serial)
    expect(page.locator(f"main a[href='/housing/loans/{loan.pk}/']")).to_contain_text(NUMBER)  # back to the loan
    # The company's webhook, not the return page's own question, is what marked it paid.
    event = PaymentEvent.objects.get(payment_ref=payment.payment_ref)
    assert (event.kind, event.outcome) == ("payment.succeeded", EventOutcome.APPLIED)
    assert AuditEvent.objects.for_target(payment).get(action="payment_succeed").data["source"] == "webhook"

    # --- back on the loan: the schedule shows the two installments paid -------------------------
    page.goto("/housing/")  # one loan: straight to it
    expect(page).to_have_url(re.compile(re.escape(f"/housing/loans/{loan.pk}/") + "$"))
    expect(page.locator("main .banner--error")).to_have_count(0)  # nothing overdue any more
    expect(balance).to_contain_text(iqd(1_000_000))
    for index, state in enumerate([S.DUE, S.UPCOMING]):  # paid ones leave the table of what is due
        expect(rows.nth(index).locator(".tag")).to_have_text(label(state))
    expect(rows.nth(0).locator("th")).to_contain_text("3")
    assert list(Installment.objects.filter(loan=loan).order_by("number").values_list("paid", flat=True)[:3]) == [
        100_000,
        100_000,
        0,
    ]

    # --- the statement: a signed PDF whose QR code opens the verify page ------------------------
    statement_button = page.get_by_role("button", name=arabic("Download a statement (PDF)"))
    got, pdf, text = download(page, statement_button, tmp_path, "statement")
    statement = Statement.objects.select_related("artifact").get(loan=loan)
    assert got.suggested_filename == f"{statement.serial}.pdf"
    assert statement.serial.startswith("IHF-ST-")
    assert statement.balance == 1_000_000
    assert NUMBER in text
    assert "1,000,000" in text  # the balance
    assert receipt.serial in text  # the payment through the portal
    url = scan_qr(pdf, tmp_path, "statement")
    expect_genuine(new_page(), url, statement.artifact, statement.serial, live_server)

    # --- the receipt, from the loan page's list of payments ---------------------------------------
    link = page.locator(f"main a[href='/collection/receipts/{receipt.pk}.pdf']")
    expect(link).to_contain_text(receipt.serial)
    got, pdf, text = download(page, link, tmp_path, "receipt")
    assert got.suggested_filename == f"{receipt.serial}.pdf"
    assert receipt.serial in text
    assert payment.payment_ref in text
    assert "200,000" in text
    url = scan_qr(pdf, tmp_path, "receipt")
    expect_genuine(new_page(), url, receipt.artifact, receipt.serial, live_server)

    # --- the officer's report follows -------------------------------------------------------------
    desk.reload()
    expect_bucket(desk, bucket, 0, 0)
    expect_bucket(desk, current, 1, 0)
    expect(desk.locator("main table tfoot")).to_contain_text(iqd(0))

    payment.refresh_from_db()
    assert (payment.status, payment.amount, payment.card_last4) == (PaymentStatus.SUCCEEDED, 200_000, "1111")


def test_a_wrong_date_of_birth_links_nothing(page, sign_in, live_server, sandbox):
    _branch, loan, citizen, _officer = branch_and_loan()
    sign_in(citizen.email)
    page.goto("/housing/link/")
    page.fill("input[name=number]", NUMBER)
    page.fill("input[name=national_id]", NATIONAL_ID)
    page.fill("input[name=birth_date]", "1991-03-14")
    page.get_by_role("button", name=arabic("Link the loan")).click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(r"/housing/link/$"))
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    message = arabic(
        "No loan matches these details. Check the loan number, your national ID number and your date "
        "of birth as they appear on your loan contract."
    )
    expect(summary).to_contain_text(message)
    # What was typed is kept, to correct it; the answer does not say which detail was wrong.
    expect(page.locator("input[name=number]")).to_have_value(NUMBER)
    expect(page.locator("input[name=national_id]")).to_have_value(NATIONAL_ID)
    expect(page.locator("input[name=birth_date]")).to_have_value("1991-03-14")
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(BORROWER)

    page.goto("/housing/")
    expect(page.locator("main .empty-state")).to_be_visible()
    loan.refresh_from_db()
    assert loan.borrower is None
    assert AuditEvent.objects.filter(action="loan_link_fail").count() == 1
    assert not AuditEvent.objects.filter(action="loan_link").exists()
