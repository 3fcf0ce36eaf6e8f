"""A certificate of authenticity of issuance, end to end in real Chromium.

A registry clerk of entity A asks entity B whether it issued a document; a certificate issuer
of B answers with a signed certificate; the clerk is notified and downloads the PDF, whose QR
code opens the public verify page; B's head revokes it and the public page says so at once.
Members of other entities cannot reach the request.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from playwright.sync_api import expect

from datacenter.constants import RequestStatus
from datacenter.models import AuthenticityRequest, Certificate
from datacenter.services import DocumentDetails, request_submit
from govportal.accounts.constants import Role
from tests.e2e.conftest import BIDI_CONTROLS, arabic, fresh_totp, sign_in_as, status_of, tool
from tests.factories import EntityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDER = "زينب علي حسين الموسوي"
NATIONAL_ID = "199012345678"
DOCUMENT_NUMBER = "UOB-2019-4471"


def post_status(page: Any, path: str, data: dict[str, str]) -> int:
    """POST as the signed-in person would (with the CSRF token), without any form on the page."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(path, form=data, headers={"X-CSRFToken": token}, max_redirects=0)
    return response.status


def test_request_answer_verify_revoke(page, new_page, live_server, settings, private_files, tmp_path):
    settings.SITE_URL = live_server.url  # the QR code then opens this test server
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # six accounts, quickly
    entity_a = EntityFactory(name_ar="وزارة التربية", name_en="Ministry of Education")
    entity_b = EntityFactory(name_ar="جامعة بغداد", name_en="University of Baghdad")
    entity_c = EntityFactory(name_ar="وزارة الصحة", name_en="Ministry of Health")
    clerk_a = MembershipFactory(role=Role.REGISTRY_CLERK, entity=entity_a).user
    issuer_a = MembershipFactory(role=Role.CERTIFICATE_ISSUER, entity=entity_a).user
    issuer_b = MembershipFactory(role=Role.CERTIFICATE_ISSUER, entity=entity_b).user
    head_b = MembershipFactory(role=Role.ENTITY_HEAD, entity=entity_b).user
    issuer_c = MembershipFactory(role=Role.CERTIFICATE_ISSUER, entity=entity_c).user
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a scanned degree certificate\n%%EOF\n")

    # --- the clerk of A sends the request -----------------------------------------------------
    sign_in_as(page, clerk_a)
    page.goto("/datacenter/requests/new/")
    expect(page.locator("select[name=requesting_entity]")).to_have_value(str(entity_a.pk))
    page.select_option("select[name=issuing_entity]", label=f"{entity_b.name_ar} ({entity_b.code})")
    page.select_option("select[name=document_type]", "degree")
    page.fill("input[name=document_number]", DOCUMENT_NUMBER)
    page.fill("input[name=document_date]", "2019-07-15")
    page.fill("input[name=holder_name]", HOLDER)
    page.fill("input[name=holder_national_id]", NATIONAL_ID)
    page.set_input_files("input[name=attachment]", str(scan))
    page.fill("textarea[name=note]", "مطلوب لأغراض التعيين")
    page.get_by_role("button", name=arabic("Send the request")).click()
    page.wait_for_load_state()

    item = AuthenticityRequest.objects.get()
    detail_path = f"/datacenter/requests/{item.pk}/"
    expect(page).to_have_url(re.compile(re.escape(detail_path) + "$"))
    expect(page.locator("main h1")).to_contain_text(item.reference)
    assert item.reference.startswith(f"{entity_a.code}-R")
    with translation.override("ar"):
        submitted_label = str(RequestStatus.SUBMITTED.label)
    expect(page.locator("main .tag").first).to_have_text(submitted_label)
    expect(page.locator(".banner--success")).to_contain_text(item.reference)
    assert (item.issuing_entity_id, item.holder_name, item.holder_national_id) == (entity_b.pk, HOLDER, NATIONAL_ID)
    assert item.document_date.isoformat() == "2019-07-15"
    assert item.attachment_content_type == "application/pdf"

    # --- people of other entities cannot reach B's queue items ----------------------------------
    elsewhere = new_page()
    sign_in_as(elsewhere, issuer_c)
    assert status_of(elsewhere, detail_path) == 404
    assert status_of(elsewhere, f"{detail_path}scan") == 404
    assert post_status(elsewhere, f"{detail_path}answer/", {"outcome": "confirmed", "reason": ""}) == 404

    # A's issuer sees the request A sent, but may not answer for B, nor see what B received from others.
    other = request_submit(
        requesting_entity=entity_c,
        issuing_entity=entity_b,
        details=DocumentDetails("identity", "X-1", item.document_date, "علي حسن", "198811112222"),
        attachment=SimpleUploadedFile("s.pdf", b"%PDF-1.4 other", content_type="application/pdf"),
        note="",
        actor=issuer_c,
    )
    issuer_of_a = new_page()
    sign_in_as(issuer_of_a, issuer_a)
    assert status_of(issuer_of_a, f"/datacenter/requests/{other.pk}/") == 404
    assert status_of(issuer_of_a, detail_path) == 200
    expect(issuer_of_a.locator("form[action$='/answer/']")).to_have_count(0)
    assert post_status(issuer_of_a, f"{detail_path}answer/", {"outcome": "confirmed", "reason": ""}) == 404
    issuer_of_a.goto("/datacenter/queue/")
    expect(issuer_of_a.locator("main")).not_to_contain_text(item.reference)
    item.refresh_from_db()
    assert item.status == RequestStatus.SUBMITTED

    # --- B's certificate issuer answers --------------------------------------------------------
    issuer = new_page()
    sign_in_as(issuer, issuer_b)
    issuer.goto("/datacenter/queue/")
    issuer.get_by_role("link", name=item.reference).click()
    expect(issuer).to_have_url(re.compile(re.escape(detail_path) + "$"))
    issuer.check("input[name=outcome][value=confirmed]")
    issuer.get_by_role("button", name=arabic("Issue the certificate")).click()
    issuer.wait_for_load_state()
    certificate = Certificate.objects.select_related("artifact").get()
    assert certificate.serial.startswith(f"{entity_b.code}-")
    expect(issuer.locator(".banner--success").first).to_contain_text(certificate.serial)
    expect(issuer.locator("form[action$='/answer/']")).to_have_count(0)

    # --- the clerk is notified and downloads the PDF -------------------------------------------
    page.goto("/datacenter/requests/")
    notifications = page.locator(".site-header__nav a[href='/notifications/']")
    expect(notifications.locator(".count-badge")).to_contain_text("1")
    notifications.click()
    certificate_path = f"/datacenter/certificates/{certificate.pk}/"
    page.locator(f"main a[href='{certificate_path}']").click()
    expect(page).to_have_url(re.compile(re.escape(certificate_path) + "$"))
    expect(page.locator("main h1")).to_contain_text(certificate.serial)
    with page.expect_download() as download_info:
        page.locator(f"a[href='{certificate_path}pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    text = BIDI_CONTROLS.sub("", text)
    assert HOLDER in text
    assert certificate.serial in text
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    (png,) = tmp_path.glob("page*.png")
    scanned = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True
    )
    assert scanned.returncode == 0, scanned.stderr
    verify = scanned.stdout.strip()
    assert re.search(r"/v/[^/]+$", verify), verify
    assert urlsplit(verify).path == certificate.artifact.path
    assert verify.startswith(live_server.url)

    # --- anyone who scans it sees that it is genuine and valid ----------------------------------
    visitor = new_page()
    visitor.goto(verify)
    expect(visitor.locator(".panel--genuine")).to_be_visible()
    expect(visitor.get_by_role("heading", level=1, name=arabic("This document is genuine"), exact=True)).to_be_visible()
    expect(visitor.locator(".status-line .tag")).to_have_text(arabic("Valid"))
    expect(visitor.locator("main")).to_contain_text(certificate.serial)
    expect(visitor.locator("main")).not_to_contain_text(HOLDER)  # personal details are masked

    # --- B's head revokes it; the public page says so at once -----------------------------------
    head = new_page()
    sign_in_as(head, head_b)
    head.goto(certificate_path)
    head.get_by_role("link", name=arabic("Revoke this certificate")).click()  # a page that says what happens
    head.wait_for_load_state()
    expect(head.locator(".warning-text")).to_contain_text(arabic("This cannot be undone."))
    final = (
        "A revoked certificate cannot be made valid again: "
        "if it was revoked by mistake, a new certificate must be issued."
    )
    expect(head.locator(".consequences")).to_contain_text(arabic(final))
    reason = "صدرت الشهادة بناءً على وثيقة مزورة"
    head.fill("textarea[name=reason]", reason)
    head.get_by_role("button", name=arabic("Revoke the certificate")).click()
    head.wait_for_load_state()
    expect(head.locator(".banner--success")).to_contain_text(certificate.serial)
    expect(head.locator("main .tag").first).to_have_text(arabic("Revoked"))
    expect(head.locator("textarea[name=reason]")).to_have_count(0)

    visitor.reload()
    expect(visitor.locator(".panel--not-genuine h1")).to_contain_text(arabic("This document has been revoked"))
    expect(visitor.locator(".status-line .tag")).to_have_text(arabic("Revoked"))
    expect(visitor.locator(".status-line")).to_contain_text(reason)


def test_request_form_hints_are_in_the_readers_language(page, sign_in, choose_language, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clerk = MembershipFactory(role=Role.REGISTRY_CLERK).user
    sign_in(clerk.email, totp=fresh_totp(clerk))
    hint = page.locator("#id_attachment_helptext")
    arabic_letters = re.compile("[\u0600-\u06ff]")
    for language in ("ar", "en"):
        choose_language(language)
        page.goto("/datacenter/requests/new/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert bool(arabic_letters.search(hint.inner_text())) == (language == "ar"), hint.inner_text()
