"""axe-core finds no WCAG 2.2 AA violations on the certificate-of-authenticity pages and the public verify pages.

In Arabic and English, at 360 and 1280 px; screenshots go to test-results/screens/dc-<page>-<language>-<width>.png.
Data is made with the services and staff are signed in through the real login forms with Django's test
client (the session cookie is handed to the browser): the journey test covers doing all of it in the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from datacenter.constants import MAX_ATTACHMENT_BYTES, Outcome
from datacenter.models import AuthenticityRequest, Certificate
from datacenter.services import DocumentDetails, certificate_revoke, request_answer, request_return, request_submit
from govportal.accounts.constants import Role
from tests.e2e.conftest import submit
from tests.e2e.test_accessibility import wcag_reports
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Issuing queues the PDF rendering, which these pages do not need (the journey test renders it);
    and three staff accounts a page need not cost three slow password hashes."""
    from govportal.pdf.tasks import pdf_render

    monkeypatch.setattr(pdf_render, "apply_async", lambda *args, **kwargs: None)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- data ----------------------------------------------------------------------------------------


def scene() -> SimpleNamespace:
    """Entity A asks entity B; A has a registry clerk, B a certificate issuer and a head."""
    a = EntityFactory(name_ar="وزارة التربية", name_en="Ministry of Education")
    b = EntityFactory(name_ar="جامعة بغداد", name_en="University of Baghdad")
    return SimpleNamespace(
        a=a,
        b=b,
        clerk=MembershipFactory(role=Role.REGISTRY_CLERK, entity=a),
        issuer=MembershipFactory(role=Role.CERTIFICATE_ISSUER, entity=b),
        head=MembershipFactory(role=Role.ENTITY_HEAD, entity=b),
    )


HOLDER = "زينب علي حسين الموسوي"


def send(s: SimpleNamespace, number: str = "UOB-2019-4471", holder: str = HOLDER) -> AuthenticityRequest:
    return request_submit(
        requesting_entity=s.a,
        issuing_entity=s.b,
        details=DocumentDetails("degree", number, dt.date(2019, 7, 15), holder, "199012345678"),
        attachment=SimpleUploadedFile("s.pdf", b"%PDF-1.4 a scan", content_type="application/pdf"),
        note="مطلوب لأغراض التعيين",
        actor=s.clerk.user,
    )


def issue(s: SimpleNamespace) -> Certificate:
    return request_answer(item=send(s), outcome=Outcome.CONFIRMED, reason="", actor=s.issuer.user)


def requests_empty(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk)
    page.goto("/datacenter/requests/")
    expect(page.locator("main table")).to_have_count(0)


def requests_one_row(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    send(s)
    enter_as(s.clerk)
    page.goto("/datacenter/requests/")
    expect(page.locator("main table tbody tr")).to_have_count(1)


def request_new(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk)
    page.goto("/datacenter/requests/new/")


def request_new_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    enter_as(scene().clerk)
    page.goto("/datacenter/requests/new/")
    page.fill("input[name=holder_national_id]", "12345")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".field--error").first).to_be_visible()


def request_new_too_large(page: Any, enter_as: Callable[[Any], None]) -> None:
    """A scan over the limit: the limit said in whole megabytes, in the reader's language."""
    s = scene()
    enter_as(s.clerk)
    page.goto("/datacenter/requests/new/")
    page.select_option("select[name=issuing_entity]", str(s.b.pk))
    page.fill("input[name=document_number]", "UOB-2019-4471")
    page.fill("input[name=document_date]", "2019-07-14")
    page.fill("input[name=holder_name]", HOLDER)
    page.fill("input[name=holder_national_id]", "199012345678")
    big = b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_BYTES + 1)
    page.set_input_files(
        "input[name=attachment]",
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": big}],
        timeout=60_000,  # 10 MB through the DevTools protocol: slow on a busy machine
    )
    submit(page)
    expect(page.locator("#id_attachment_error")).to_be_visible()
    expect(page.locator(".field--error")).to_have_count(1)


def request_issuer_view(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    item = send(s)
    enter_as(s.issuer)
    page.goto(f"/datacenter/requests/{item.pk}/")
    expect(page.locator("form[action$='/answer/']")).to_be_visible()
    expect(page.locator("form[action$='/return/']")).to_be_visible()


def request_answer_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    item = send(s)
    enter_as(s.issuer)
    page.goto(f"/datacenter/requests/{item.pk}/")
    page.locator("form[action$='/answer/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def request_requester_view(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    certificate = issue(s)
    enter_as(s.clerk)
    page.goto(f"/datacenter/requests/{certificate.request_id}/")
    expect(page.locator("form[action$='/answer/']")).to_have_count(0)


def request_returned(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    item = request_return(item=send(s), reason="الصورة غير واضحة، أرسلوا نسخة أوضح", actor=s.issuer.user)
    enter_as(s.clerk)
    page.goto(f"/datacenter/requests/{item.pk}/")
    expect(page.locator("form[action$='/resubmit/']")).to_be_visible()


def queue(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    send(s)
    late = send(s, number="UOB-2018-0012", holder="علي حسن كاظم")
    AuthenticityRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    enter_as(s.issuer)
    page.goto("/datacenter/queue/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("main table tbody tr").first).to_contain_text(late.reference)


def certificates(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    issue(s)
    enter_as(s.clerk)
    page.goto("/datacenter/certificates/")
    expect(page.locator("main table tbody tr")).to_have_count(1)


def certificate_head_view(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    certificate = issue(s)
    enter_as(s.head)
    page.goto(f"/datacenter/certificates/{certificate.pk}/")
    expect(page.locator(f"a[href$='/certificates/{certificate.pk}/revoke/']")).to_be_visible()


def certificate_revoke_confirm(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    certificate = issue(s)
    enter_as(s.head)
    page.goto(f"/datacenter/certificates/{certificate.pk}/revoke/")
    expect(page.locator("textarea[name=reason]")).to_be_visible()
    expect(page.locator(".warning-text")).to_be_visible()


def certificate_revoke_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    certificate = issue(s)
    enter_as(s.head)
    page.goto(f"/datacenter/certificates/{certificate.pk}/revoke/")
    page.locator("form[action$='/revoke/'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()


def verify_genuine(page: Any, enter_as: Callable[[Any], None]) -> None:
    certificate = issue(scene())
    page.goto(certificate.artifact.path)
    expect(page.locator(".panel--genuine")).to_be_visible()


def verify_revoked(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    certificate = issue(s)
    certificate_revoke(certificate=certificate, reason="صدرت بناءً على وثيقة مزورة", actor=s.head.user)
    page.goto(certificate.artifact.path)
    expect(page.locator(".status-line .tag--red")).to_be_visible()


def verify_garbage(page: Any, enter_as: Callable[[Any], None]) -> None:
    page.goto("/v/garbage")
    expect(page.locator(".panel--not-genuine")).to_be_visible()


def lookup(page: Any, enter_as: Callable[[Any], None]) -> None:
    page.goto("/verify/")


def lookup_errors(page: Any, enter_as: Callable[[Any], None]) -> None:
    page.goto("/verify/")
    submit(page)
    expect(page.locator(".error-summary")).to_be_visible()


def notifications(page: Any, enter_as: Callable[[Any], None]) -> None:
    s = scene()
    issue(s)
    enter_as(s.clerk)
    page.goto("/notifications/")
    expect(page.locator("main .timeline__item")).to_have_count(1)


PAGES: dict[str, Callable[[Any, Callable[[Any], None]], None]] = {
    "requests-empty": requests_empty,
    "requests-one-row": requests_one_row,
    "request-new": request_new,
    "request-new-errors": request_new_errors,
    "request-new-too-large": request_new_too_large,
    "request-issuer": request_issuer_view,
    "request-answer-errors": request_answer_errors,
    "request-requester": request_requester_view,
    "request-returned": request_returned,
    "queue": queue,
    "certificates": certificates,
    "certificate-head": certificate_head_view,
    "certificate-revoke": certificate_revoke_confirm,
    "certificate-revoke-errors": certificate_revoke_errors,
    "verify-genuine": verify_genuine,
    "verify-revoked": verify_revoked,
    "verify-garbage": verify_garbage,
    "verify-lookup": lookup,
    "verify-lookup-errors": lookup_errors,
    "notifications": notifications,
}


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_datacenter_page_has_no_wcag_violations(page, enter_as, choose_language, screenshot, name, language):
    choose_language(language)
    PAGES[name](page, enter_as)
    expect(page.locator("html")).to_have_attribute("lang", language)
    reports = wcag_reports(page, screenshot, f"dc-{name}-{language}")
    assert not reports, "\n".join(reports)
