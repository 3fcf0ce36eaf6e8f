"""axe-core finds no WCAG 2.2 AA violations on the electronic payment pages.

Citizens' bills (also with the choice kept after a declined card), check and pay, the sandbox
company's card page, the result (paid, declined with another card offered), payments and cancelling
one; staff payments (with refunds pending and refused), the refund form, its errors and its check
page, the refunds list; a partly refunded receipt's verify page; the outlet counter, its done page
and the closing report; the head's outlet pages (list, set up with errors, detail, close and
terminal pages) and the public list of outlets; the settlement files with the request for a day's
file (and its errors), that request waiting, empty, already imported and refused; the empty
discrepancy queue. In Arabic and English, at 360 and 1280 px; screenshots go to
test-results/screens/pay-<page>-<language>-<width>.png. Data is made with the services; people are
signed in through the real login forms with Django's test client (the session cookie is handed to
the browser): the journey test covers doing all of it in the browser.
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

from collection.constants import Governorate
from collection.models import Obligation, Payment, SettlementFetch, Terminal
from collection.providers.sandbox import (
    CARD_DECLINED,
    CARD_REFUND_DELAYED,
    CARD_REFUND_REFUSED,
    CARD_SUCCEEDS,
    charge_pay,
)
from collection.services import CardSlip, Line, outlet_payment_record, payment_start, refund_create
from govportal.accounts.constants import Role
from tests.collection.outlets_world import OutletFactory, outlet_at_work
from tests.e2e.conftest import submit
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory, SettlementFileFactory, bill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NATIONAL_ID = "199012345678"
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


def scene() -> SimpleNamespace:
    """The housing fund with an open outlet (terminal T-0042, the cashier assigned), a head, an officer
    and a cashier; a citizen with two open bills."""
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, user__full_name="زينب علي حسين الموسوي").user
    bills = [
        bill(citizen, fund, 125_000, days=-5, reference="IHF-FEE-2026-0001"),
        bill(citizen, fund, 40_000, days=35, reference="IHF-FEE-2026-0002"),
    ]
    Obligation.objects.filter(pk=bills[1].pk).update(description="رسوم تقييم العقار")
    cashier = MembershipFactory(role=Role.OUTLET_CASHIER, entity=fund, user__full_name="حسن كريم")
    return SimpleNamespace(
        fund=fund,
        citizen=citizen,
        bills=bills,
        officer=MembershipFactory(role=Role.FUND_OFFICER, entity=fund, user__full_name="سارة محمود"),
        head=MembershipFactory(role=Role.ENTITY_HEAD, entity=fund, user__full_name="علي حسين الجبوري"),
        cashier=cashier,
        outlet=outlet_at_work(
            fund,
            cashiers=[cashier.user],
            code="IHF-BGD-01",
            name_ar="منفذ صندوق الإسكان — الكرخ",
            name_en="Housing Fund outlet — Karkh",
            address_ar="بغداد، الكرخ، شارع حيفا، قرب ساحة المتحف",
            address_en="Haifa Street, Karkh, Baghdad, near Museum Square",
            phone="07700000101",
        ),
    )


def start(s: SimpleNamespace, obligation: Obligation | None = None) -> Payment:
    obligation = obligation or s.bills[0]
    return payment_start(
        payer=s.citizen,
        lines=[Line(obligation=obligation, amount=obligation.remaining)],
        base_url=django_settings.SITE_URL,
    )


def paid_online(s: SimpleNamespace, card: str = CARD_SUCCEEDS, obligation: Obligation | None = None) -> Payment:
    """Paid on the company's page; its webhook reaches the live server and settles the payment."""
    payment = start(s, obligation)
    charge_pay(charge_id=payment.provider_ref, card_number=card)
    return Payment.objects.get(pk=payment.pk)


def paid_at_outlet(s: SimpleNamespace, obligation: Obligation | None = None) -> Payment:
    return outlet_payment_record(
        cashier=s.cashier.user,
        outlet=s.outlet,
        payer=s.citizen,
        obligations=[obligation or s.bills[0]],
        slip=CardSlip(terminal_id="T-0042", approval_code="A1B2C3", rrn="612345678901", card_last4="4242"),
    )


# --- how to reach each page; each leaves the page showing what is to be checked -----------------------


def bills(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto("/collection/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def bills_nothing_chosen(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto("/collection/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary a[href='#id_bills_0']")).to_have_count(1)
    expect(page.locator("#id_bills_0")).to_be_visible()  # the summary's link lands on the first bill


def bills_paid_and_in_progress(page: Any, enter: Enter) -> None:
    s = scene()
    paid_online(s)
    start(s, s.bills[1])
    enter(s.citizen)
    page.goto("/collection/")
    expect(page.locator("main .banner")).to_have_count(1)
    expect(page.locator("main table")).to_have_count(2)


def check_and_pay(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.citizen)
    page.goto(f"/collection/pay/?bills={s.bills[0].pk}&bills={s.bills[1].pk}")
    expect(page.locator("main form[method=post] button[type=submit]")).to_contain_text("165,000")


def sandpay(page: Any, enter: Enter) -> None:
    s = scene()
    payment = start(s)
    enter(s.citizen)
    page.goto(payment.checkout_url)
    expect(page.locator("#id_card_number")).to_be_visible()


def sandpay_errors(page: Any, enter: Enter) -> None:
    s = scene()
    payment = start(s)
    enter(s.citizen)
    page.goto(payment.checkout_url)
    page.fill("#id_card_number", "1234")
    page.locator("button.sp-pay").click()
    page.wait_for_load_state()
    expect(page.locator(".sp-errors")).to_be_visible()


def result_success(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/return/")
    expect(page.locator(".panel--genuine")).to_be_visible()
    expect(page.locator("main a[href^='/collection/receipts/']")).to_be_visible()


def result_declined(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s, card=CARD_DECLINED)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/return/")
    expect(page.locator(".panel--not-genuine")).to_be_visible()
    expect(page.locator(f"main form[action='/collection/payments/{payment.pk}/retry/'] button")).to_be_visible()


def bills_choice_kept(page: Any, enter: Enter) -> None:
    s = scene()
    paid_online(s, card=CARD_DECLINED)
    enter(s.citizen)
    page.goto("/collection/")
    expect(page.locator(f"main input[name=bills][value='{s.bills[0].pk}']")).to_be_checked()


def result_waiting(page: Any, enter: Enter) -> None:
    s = scene()
    payment = start(s)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/return/")
    expect(page.locator(".panel--neutral")).to_be_visible()
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)  # a timed reload only on request


def payments(page: Any, enter: Enter) -> None:
    s = scene()
    paid_online(s)
    paid_online(s, card=CARD_DECLINED, obligation=s.bills[1])
    enter(s.citizen)
    page.goto("/collection/payments/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def payment_detail(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    refund_create(payment=payment, amount=25_000, reason="error", note="دُفع جزء مرتين", actor=s.officer.user)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/")
    expect(page.locator("main .timeline__item").first).to_be_visible()


def payment_detail_unfinished(page: Any, enter: Enter) -> None:
    s = scene()
    payment = start(s)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/")
    expect(page.locator("main a[href$='/cancel/']")).to_be_visible()


def payment_cancel(page: Any, enter: Enter) -> None:
    s = scene()
    payment = start(s)
    enter(s.citizen)
    page.goto(f"/collection/payments/{payment.pk}/cancel/")
    expect(page.locator(".warning-text")).to_be_visible()


def staff_payments(page: Any, enter: Enter) -> None:
    s = scene()
    paid_online(s)
    paid_at_outlet(s, s.bills[1])
    enter(s.officer)
    page.goto("/collection/staff/payments/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def staff_payment(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/")
    expect(page.locator("main a[href$='/refund/']")).to_be_visible()


def staff_payment_refund_pending(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s, card=CARD_REFUND_DELAYED)
    refund_create(payment=payment, amount=25_000, reason="error", note="دُفع جزء مرتين", actor=s.officer.user)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/")
    expect(page.locator("main .banner")).to_have_count(1)


def staff_payment_refund_failed(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s, card=CARD_REFUND_REFUSED)
    refund_create(payment=payment, amount=25_000, reason="reduced", note="خُفّض الرسم", actor=s.officer.user)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/")
    expect(page.locator("main .banner--error")).to_be_visible()


def staff_refund(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/refund/")
    expect(page.locator("input[name=amount]")).to_have_value("125000")


def staff_refund_errors(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/refund/")
    page.fill("input[name=amount]", "999999")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


def staff_refund_check(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    enter(s.officer)
    page.goto(f"/collection/staff/payments/{payment.pk}/refund/")
    page.fill("input[name=amount]", "25000")
    page.check("input[name=reason][value=reduced]")
    page.fill("textarea[name=note]", "خُفّض رسم التقييم بقرار المدير العام")
    submit(page)
    expect(page.locator(".consequences")).to_be_visible()


def staff_refunds(page: Any, enter: Enter) -> None:
    s = scene()
    pending = paid_online(s, card=CARD_REFUND_DELAYED)
    refund_create(payment=pending, amount=25_000, reason="error", note="دُفع جزء مرتين", actor=s.officer.user)
    refused = paid_online(s, card=CARD_REFUND_REFUSED, obligation=s.bills[1])
    refund_create(payment=refused, amount=40_000, reason="error", note="دُفع مرتين", actor=s.officer.user)
    enter(s.officer)
    page.goto("/collection/staff/refunds/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def verify_partly_refunded(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_online(s)
    refund_create(payment=payment, amount=25_000, reason="reduced", note="خُفّض الرسم", actor=s.officer.user)
    page.goto(payment.receipt.artifact.path)
    expect(page.locator(".panel--changed")).to_be_visible()


def outlet_counter(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.cashier)
    page.goto(f"/collection/outlet/?national_id={NATIONAL_ID}")
    expect(page.locator("form[action='/collection/outlet/pay/'] input[name=rrn]")).to_be_visible()


def outlet_slip_errors(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.cashier)
    page.goto(f"/collection/outlet/?national_id={NATIONAL_ID}")
    page.locator(f"input[name=bills][value='{s.bills[0].pk}']").check()
    page.fill("input[name=rrn]", "123")
    page.locator("form[action='/collection/outlet/pay/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def outlet_done(page: Any, enter: Enter) -> None:
    s = scene()
    payment = paid_at_outlet(s)
    enter(s.cashier)
    page.goto(f"/collection/outlet/payments/{payment.pk}/")
    expect(page.locator(".panel--genuine")).to_be_visible()


def outlet_closing(page: Any, enter: Enter) -> None:
    s = scene()
    paid_at_outlet(s)
    enter(s.cashier)
    page.goto("/collection/outlet/closing/")
    expect(page.locator("main table tbody tr")).to_have_count(1)


def outlets_public(page: Any, enter: Enter) -> None:
    s = scene()
    outlet_at_work(
        s.fund,
        cashiers=[],
        terminals=["T-0107"],
        code="IHF-BSR-01",
        governorate=Governorate.BASRA,
        name_ar="منفذ صندوق الإسكان — البصرة",
        name_en="Housing Fund outlet — Basra",
        address_ar="البصرة، العشار، شارع الكورنيش",
        address_en="Corniche Street, Ashar, Basra",
    )
    page.goto("/collection/outlets/")
    expect(page.locator("main .outlet-card")).to_have_count(2)


def outlet_list(page: Any, enter: Enter) -> None:
    s = scene()
    OutletFactory(entity=s.fund, code="IHF-NJF-01", name_ar="منفذ صندوق الإسكان — النجف", name_en="Najaf outlet")
    enter(s.head)
    page.goto("/collection/staff/outlets/")
    expect(page.locator("main table tbody tr")).to_have_count(2)


def outlet_new_errors(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.head)
    page.goto("/collection/staff/outlets/new/")
    page.fill("input[name=opens_at]", "15:00")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


def outlet_detail(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.head)
    page.goto(f"/collection/staff/outlets/{s.outlet.code}/")
    expect(page.locator("main .timeline")).to_be_visible()
    expect(page.locator("form[action$='/cashiers/']")).to_have_count(0)  # the only cashier works here already


def outlet_setting_up(page: Any, enter: Enter) -> None:
    s = scene()
    outlet = OutletFactory(entity=s.fund, code="IHF-NJF-01", name_ar="منفذ صندوق الإسكان — النجف", name_en="Najaf")
    enter(s.head)
    page.goto(f"/collection/staff/outlets/{outlet.code}/")
    expect(page.locator("form[action$='/cashiers/'] select")).to_be_visible()


def outlet_close(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.head)
    page.goto(f"/collection/staff/outlets/{s.outlet.code}/close/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


def terminal_add(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.head)
    page.goto(f"/collection/staff/outlets/{s.outlet.code}/terminals/new/")
    expect(page.locator("input[name=terminal_id]")).to_be_visible()


def terminal_close(page: Any, enter: Enter) -> None:
    s = scene()
    terminal = Terminal.objects.get(outlet=s.outlet)
    enter(s.head)
    page.goto(f"/collection/staff/outlets/{s.outlet.code}/terminals/{terminal.pk}/close/")
    expect(page.locator("textarea[name=reason]")).to_be_visible()


def settlements(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto("/collection/staff/settlements/")
    expect(page.locator("main input[name=day]")).to_be_visible()


def settlements_fetch_errors(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto("/collection/staff/settlements/")
    page.fill("input[name=day]", "")
    page.locator("form[action$='/fetch/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def fetch_page(status: str) -> Callable[[Any, Enter], None]:
    def show(page: Any, enter: Enter) -> None:
        s = scene()
        earlier = SettlementFileFactory(uploaded_by=s.officer.user, name="sandbox-2026-12-01.csv")
        fetch = SettlementFetch.objects.create(
            provider="sandbox" if status != "failed" else "fib",
            day=timezone.localdate() - dt.timedelta(days=1),
            requested_by=s.officer.user,
            status=status,
            file=earlier if status == "duplicate" else None,
            detail="لا يتيح المصرف العراقي الأول تنزيل ملف التسوية." if status == "failed" else "",
        )
        enter(s.officer)
        page.goto(f"/collection/staff/settlements/fetch/{fetch.pk}/")
        expect(page.locator("main h1")).to_be_visible()

    return show


def discrepancies_empty(page: Any, enter: Enter) -> None:
    s = scene()
    enter(s.officer)
    page.goto("/collection/staff/discrepancies/")
    expect(page.locator("main .empty-state")).to_be_visible()


PAGES: dict[str, Callable[[Any, Enter], None]] = {
    "bills": bills,
    "bills-nothing-chosen": bills_nothing_chosen,
    "bills-paid-and-in-progress": bills_paid_and_in_progress,
    "check-and-pay": check_and_pay,
    "sandpay": sandpay,
    "sandpay-errors": sandpay_errors,
    "result-success": result_success,
    "result-declined": result_declined,
    "result-waiting": result_waiting,
    "bills-choice-kept": bills_choice_kept,
    "payments": payments,
    "payment-detail": payment_detail,
    "payment-detail-unfinished": payment_detail_unfinished,
    "payment-cancel": payment_cancel,
    "staff-payments": staff_payments,
    "staff-payment": staff_payment,
    "staff-payment-refund-pending": staff_payment_refund_pending,
    "staff-payment-refund-failed": staff_payment_refund_failed,
    "staff-refund": staff_refund,
    "staff-refund-errors": staff_refund_errors,
    "staff-refund-check": staff_refund_check,
    "staff-refunds": staff_refunds,
    "verify-partly-refunded": verify_partly_refunded,
    "outlet-counter": outlet_counter,
    "outlet-slip-errors": outlet_slip_errors,
    "outlet-done": outlet_done,
    "outlet-closing": outlet_closing,
    "outlets-public": outlets_public,
    "outlet-list": outlet_list,
    "outlet-new-errors": outlet_new_errors,
    "outlet-detail": outlet_detail,
    "outlet-setting-up": outlet_setting_up,
    "outlet-close": outlet_close,
    "terminal-add": terminal_add,
    "terminal-close": terminal_close,
    "settlements": settlements,
    "settlements-fetch-errors": settlements_fetch_errors,
    "fetch-waiting": fetch_page("queued"),
    "fetch-empty": fetch_page("empty"),
    "fetch-duplicate": fetch_page("duplicate"),
    "fetch-failed": fetch_page("failed"),
    "discrepancies-empty": discrepancies_empty,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_collection_page_has_no_wcag_violations(page, enter, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, enter)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"pay-{name}-{language}")
    assert not reports, "\n".join(reports)
