"""axe-core finds no WCAG 2.2 AA violations on the housing fund's pages.

The borrower's pages: linking a loan (empty, with errors), the loan with its overdue banner and pay
form (also with the form's errors, with "an amount" chosen, and after a payment with its receipt),
the check page (installments, an amount), the whole schedule, a declined payment's result leading
back to the loan, the list of two loans and the account page with a loan. The branch's pages: the
portfolio, a loan with a rescheduling awaiting the head's decision (and as the officer, with the
proposal form), the arrears aging report, the legacy imports, a new import and a refused import with
its bad rows. In Arabic and English, at 360 and 1280 px; screenshots go to
test-results/screens/housing-<page>-<language>-<width>.png. Data is made with the services; people
are signed in through the real login forms with Django's test client (the session cookie is handed
to the browser): the journey test covers doing it all in the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from collection.providers.sandbox import CARD_DECLINED, CARD_SUCCEEDS, charge_pay
from govportal.accounts.constants import Role
from housing_fund.constants import ImportStatus
from housing_fund.models import Loan, LoanImport
from housing_fund.services import loan_create, loan_link, loan_pay_start, reschedule_propose
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NATIONAL_ID = "199012345678"
BIRTH = dt.date(1990, 3, 14)
BORROWER = "أحمد كريم العبيدي"
Enter = Callable[[Any], None]


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch, sandbox: None) -> None:
    """Webhooks reach this live server at once (``sandbox``); receipts' PDFs are not rendered
    (the journey test renders them)."""
    from govportal.pdf.tasks import pdf_render

    monkeypatch.setattr(pdf_render, "apply_async", lambda *args, **kwargs: None)


@pytest.fixture
def enter(enter_as: Enter) -> Enter:
    return enter_as


# --- data ----------------------------------------------------------------------------------------


def scene(*, loans: int = 1, linked: bool = True) -> SimpleNamespace:
    """A branch with an officer and a head; a citizen with ``loans`` loans of 12 × 100,000 that
    started 75 days ago (installments 1 and 2 overdue, 3 due soon), linked to their account or not;
    and another borrower's loan, current, not linked."""
    branch = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name=BORROWER).user
    today = timezone.localdate()
    made = [
        loan_create(
            number=f"IHF-2025-{417 + index:06d}",
            borrower_name=BORROWER,
            borrower_national_id=NATIONAL_ID,
            borrower_birth_date=BIRTH,
            purpose=("build", "renovate")[index % 2],
            principal=1_150_000,
            admin_fee=50_000,
            term_months=12,
            start_date=today - dt.timedelta(days=75),
            branch=branch,
        )
        for index in range(loans)
    ]
    if linked:
        for loan in made:
            loan_link(user=citizen, number=loan.number, national_id=NATIONAL_ID, birth_date=BIRTH)
        made = [Loan.objects.get(pk=loan.pk) for loan in made]
    other = loan_create(
        number="IHF-2026-000031",
        borrower_name="فاطمة حسن الجبوري",
        borrower_national_id="198805551234",
        borrower_birth_date=dt.date(1988, 5, 2),
        purpose="buy",
        principal=24_000_000,
        admin_fee=0,
        term_months=240,
        start_date=today - dt.timedelta(days=10),
        branch=branch,
    )
    return SimpleNamespace(
        branch=branch,
        citizen=citizen,
        loans=made,
        loan=made[0],
        other=other,
        officer=MembershipFactory(role=Role.FUND_OFFICER, entity=branch, user__full_name="سارة محمود"),
        head=MembershipFactory(role=Role.ENTITY_HEAD, entity=branch, user__full_name="علي جاسم الربيعي"),
    )


def paid_two(s: SimpleNamespace) -> None:
    """The two overdue installments paid on the company's page (its webhook reaches the live server)."""
    payment = loan_pay_start(loan=s.loan, payer=s.citizen, count=2, base_url=django_settings.SITE_URL)
    charge_pay(charge_id=payment.provider_ref, card_number=CARD_SUCCEEDS)


def refused_import(s: SimpleNamespace) -> LoanImport:
    """A legacy loans file the importer refused, with two bad rows and a count of more."""
    return LoanImport.objects.create(
        name="قروض-فرع-الكرخ-2019.csv",
        sha256="9f2c" * 16,
        branch=s.branch,
        uploaded_by=s.officer.user,
        status=ImportStatus.FAILED,
        rows_total=240,
        rows_done=240,
        counts={"rows": 240, "imported": 0, "skipped": 0, "bad_rows": 14, "installments": 0},
        errors=[
            {
                "line": 7,
                "loan_number": "KRK-2019-0042",
                "messages": {
                    "ar": ["يجب أن يتكون الرقم الوطني من 12 رقماً."],
                    "en": ["The national ID number must be 12 digits."],
                },
            },
            {
                "line": 19,
                "loan_number": "KRK-2019-0107",
                "messages": {
                    "ar": ["يجب أن تكون المدة بين 1 و360 شهراً.", "يجب أن يكون أصل القرض أكثر من صفر دينار."],
                    "en": [
                        "The term must be between 1 and 360 months.",
                        "The principal must be more than zero dinars.",
                    ],
                },
            },
            {"line": None, "loan_number": "", "more": 12},
        ],
        finished_at=timezone.now(),
    )


# --- how to reach each page; each leaves the page showing what is to be checked -----------------------


def link(page: Any, enter: Enter) -> None:
    s = scene(linked=False)
    enter(s.citizen)
    page.goto("/housing/link/")
    expect(page.locator("input[name=birth_date]")).to_be_visible()


def link_errors(page: Any, enter: Enter) -> None:
    """Nothing entered, then a national ID of the wrong length: each field with its error."""
    s = scene(linked=False)
    enter(s.citizen)
    page.goto("/housing/link/")
    page.fill("input[name=national_id]", "12345")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field--error")).to_have_count(3)


def link_no_match(page: Any, enter: Enter) -> None:
    s = scene(linked=False)
    enter(s.citizen)
    page.goto("/housing/link/")
    page.fill("input[name=number]", s.loan.number)
    page.fill("input[name=national_id]", NATIONAL_ID)
    page.fill("input[name=birth_date]", "1991-03-14")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()
    assert Loan.objects.get(pk=s.loan.pk).borrower_id is None


def loan(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/")
    expect(page.locator("main .banner--error")).to_be_visible()  # installments overdue
    expect(page.locator("main form input[name=count]")).to_be_visible()


def loan_pay_errors(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/")
    page.check("input[name=how][value=count]")
    page.fill("input[name=count]", "99")
    page.locator("form[action$='/pay/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("input[name=count]")).to_have_value("99")


def loan_after_payment(page: Any, enter: Enter) -> None:
    s = scene()
    paid_two(s)
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/")
    expect(page.locator("main .banner--error")).to_have_count(0)
    expect(page.locator("main a[href^='/collection/receipts/']")).to_have_count(1)


def my_loans(page: Any, enter: Enter) -> None:
    s = scene(loans=2)
    enter(s.citizen)
    page.goto("/housing/")
    for item in s.loans:
        expect(page.locator(f"main a[href='/housing/loans/{item.pk}/']")).to_be_visible()


def my_loans_none(page: Any, enter: Enter) -> None:
    s = scene(linked=False)
    enter(s.citizen)
    page.goto("/housing/")
    expect(page.locator("main .empty-state a[href='/housing/link/']")).to_be_visible()


def my_account(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto("/me/")
    expect(page.locator("main .card-grid a[href='/housing/']")).to_be_visible()


def portfolio(page: Any, enter: Enter) -> None:
    s = scene()
    reschedule_propose(loan=s.loan, term_months=24, reason="فقد المقترض عمله", actor=s.officer.user)
    enter(s.officer)
    page.goto("/housing/portfolio/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def portfolio_loan_head(page: Any, enter: Enter) -> None:
    s = scene()
    paid_two(s)
    reschedule_propose(loan=s.loan, term_months=24, reason="فقد المقترض عمله بعد إغلاق المصنع", actor=s.officer.user)
    enter(s.head)
    page.goto(f"/housing/portfolio/{s.loan.pk}/")
    expect(page.locator("form[action$='/decide/'] button[name=approve][value='1']")).to_be_visible()


def portfolio_loan_officer(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto(f"/housing/portfolio/{s.loan.pk}/")
    page.fill("textarea[name=reason]", "")
    page.locator("form[action$='/reschedule/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def arrears(page: Any, enter: Enter) -> None:
    s = scene(loans=2)
    enter(s.officer)
    page.goto("/housing/arrears/")
    expect(page.locator("main table tbody tr")).to_have_count(5)


def imports(page: Any, enter: Enter) -> None:
    s = scene()
    item = refused_import(s)
    enter(s.officer)
    page.goto("/housing/imports/")
    expect(page.locator(f"main a[href='/housing/imports/{item.pk}/']")).to_be_visible()


def import_new(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto("/housing/imports/new/")
    expect(page.locator("main form input[type=file]")).to_be_attached()


def import_new_errors(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto("/housing/imports/new/")
    page.locator("main form button[type=submit]").click()  # no file chosen
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def import_refused(page: Any, enter: Enter) -> None:
    s = scene()
    item = refused_import(s)
    enter(s.officer)
    page.goto(f"/housing/imports/{item.pk}/")
    expect(page.locator("main")).to_contain_text("KRK-2019-0107")


def loan_amount_chosen(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/")
    page.check("input[name=how][value=amount]")
    expect(page.locator("input[name=amount]")).to_be_visible()
    expect(page.locator("input[name=count]")).to_be_hidden()  # only the chosen one shows


def loan_pay_check(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/pay/?how=count&count=3")
    expect(page.locator("main table tbody tr")).to_have_count(3)
    expect(page.locator("main form[method=post] button[type=submit]")).to_contain_text("300,000")


def loan_pay_check_amount(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/pay/?how=amount&amount=150000")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def loan_schedule(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/housing/loans/{s.loan.pk}/schedule/")
    expect(page.locator("main table tbody tr")).to_have_count(12)


def loan_payment_declined(page: Any, enter: Enter) -> None:
    s = scene()
    payment = loan_pay_start(loan=s.loan, payer=s.citizen, count=1, base_url=django_settings.SITE_URL)
    charge_pay(charge_id=payment.provider_ref, card_number=CARD_DECLINED)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/return/")
    expect(page.locator(".panel--not-genuine")).to_be_visible()
    expect(page.locator(f"main a[href='/housing/loans/{s.loan.pk}/']")).to_be_visible()


PAGES: dict[str, Callable[[Any, Enter], None]] = {
    "link": link,
    "link-errors": link_errors,
    "link-no-match": link_no_match,
    "loan": loan,
    "loan-pay-errors": loan_pay_errors,
    "loan-after-payment": loan_after_payment,
    "loan-amount-chosen": loan_amount_chosen,
    "loan-pay-check": loan_pay_check,
    "loan-pay-check-amount": loan_pay_check_amount,
    "loan-schedule": loan_schedule,
    "loan-payment-declined": loan_payment_declined,
    "my-loans": my_loans,
    "my-loans-none": my_loans_none,
    "my-account": my_account,
    "portfolio": portfolio,
    "portfolio-loan-head": portfolio_loan_head,
    "portfolio-loan-officer": portfolio_loan_officer,
    "arrears": arrears,
    "imports": imports,
    "import-new": import_new,
    "import-new-errors": import_new_errors,
    "import-refused": import_refused,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_housing_page_has_no_wcag_violations(page, enter, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, enter)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"housing-{name}-{language}")
    assert not reports, "\n".join(reports)
