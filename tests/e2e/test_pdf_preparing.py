"""In a real browser: a PDF the worker has not rendered yet shows "being prepared", the page reloads
itself, and once the worker has stored the file it says so and hands the file over."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import RegisterExport
from govportal.accounts.models import Membership
from govportal.pdf import services as pdf_services
from govportal.tasks import local_task
from housing_fund.models import Statement
from housing_fund.services import loan_create, loan_link
from tests.documents.conftest import dispatch, make_office
from tests.e2e.conftest import arabic
from tests.factories import CitizenProfileFactory, EntityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH = dt.date(1990, 3, 14)


@pytest.fixture
def no_worker(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """No worker yet: PDF renders are held as a broker would hold them. Calling the result runs
    them, as the worker would; it returns how many ran."""
    held: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(pdf_services, "enqueue", lambda name, *args, **kwargs: held.append((name, args, kwargs)))

    def work() -> int:
        done = 0
        while held:
            name, args, kwargs = held.pop(0)
            local_task(name).apply(args=args, kwargs=kwargs, throw=True)
            done += 1
        return done

    return work


def test_a_statement_is_prepared_then_downloaded_without_touching_the_page(
    page, sign_in, no_worker, private_files, screenshot, tmp_path
):
    branch = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    loan = loan_create(
        number="IHF-2025-000417", borrower_name="أحمد كريم العبيدي", borrower_national_id="199012345678",
        borrower_birth_date=BIRTH, purpose="build", principal=1_200_000, admin_fee=0, term_months=12,
        start_date=timezone.localdate() - dt.timedelta(days=75), branch=branch,
    )  # fmt: skip
    citizen = CitizenProfileFactory(national_id="199012345678", user__full_name="أحمد كريم العبيدي").user
    loan_link(user=citizen, number=loan.number, national_id="199012345678", birth_date=BIRTH)
    sign_in(citizen.email)
    page.goto(f"/housing/loans/{loan.pk}/")
    page.get_by_role("button", name=arabic("Download a statement (PDF)")).click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(arabic("The account statement is being prepared"))
    statement = Statement.objects.get(loan=loan)
    expect(page.locator("main")).to_contain_text(statement.serial)
    screenshot("pdf-preparing-statement-ar-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    screenshot("pdf-preparing-statement-ar-360")

    with page.expect_download(timeout=20_000) as download:
        assert no_worker() == 2  # queued on issue and by the page; the second finds the file and exits
    assert download.value.suggested_filename == f"{statement.serial}.pdf"
    expect(heading).to_contain_text(arabic("The PDF is ready"))
    screenshot("pdf-ready-statement-ar-360")


def test_the_letter_and_register_pages_while_the_worker_is_busy(page, enter_as, no_worker, choose_language, screenshot):
    office = make_office()
    letter = dispatch(office)
    clerk = Membership.objects.get(user=office["clerk"])
    enter_as(clerk)

    for language in ("ar", "en"):
        choose_language(language)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"/documents/letters/{letter.pk}/pdf?watch=0")
        expect(page.locator("main h1")).to_be_visible()
        screenshot(f"pdf-preparing-letter-{language}-1280")
        page.set_viewport_size({"width": 360, "height": 780})
        screenshot(f"pdf-preparing-letter-{language}-360")

        page.goto("/documents/outgoing/")
        screenshot(f"register-with-print-{language}-360")
        page.locator("form[action^='/documents/registers/print/'] button").click()
        expect(page).to_have_url(re.compile("/documents/registers/printed/"))
        screenshot(f"pdf-preparing-register-{language}-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(f"pdf-preparing-register-{language}-1280")
    assert no_worker() >= 2  # the letter's render, queued on dispatch, and the printed registers

    # A printout the worker gave up on, and one past its day, say so.
    export = RegisterExport.objects.filter(status="ready").first()
    RegisterExport.objects.filter(pk=export.pk).update(status="failed", file="")
    for language in ("ar", "en"):
        choose_language(language)
        page.goto(f"/documents/registers/printed/{export.pk}/")
        expect(page.locator(".error-summary")).to_be_visible()
        screenshot(f"register-printout-failed-{language}-1280")
    RegisterExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    page.set_viewport_size({"width": 360, "height": 780})
    choose_language("ar")
    page.goto(f"/documents/registers/printed/{export.pk}/")
    expect(page.locator("main h1")).to_have_text(arabic("This printed register is no longer kept"))
    screenshot("register-printout-expired-ar-360")
