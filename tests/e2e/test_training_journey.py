"""Training, end to end in real Chromium.

An institution's training coordinator nominates three employees for a two-seat session; the
Secretariat's training administrator approves all three, so the session fills and the third waits;
the coordinator cancels one place and the waiting trainee is promoted; on the day the trainer marks
attendance and records the result; the certificate is issued, its PDF's QR code decodes to the
public verify page, which says it is genuine.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govportal.accounts.constants import Role
from govportal.notifications.models import Notification
from tests.e2e.conftest import arabic, arabic_label, sign_in_as
from tests.factories import EntityFactory, MembershipFactory, ProgrammeFactory, QuotaFactory, SessionFactory
from tests.training.conftest import pdf_text_and_qr
from training.constants import EnrollmentStatus
from training.models import Enrollment, Nomination, Session, TrainingCertificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYEES = [
    ("حسن علي الربيعي", "198501234567", "مسجل الصادرة"),
    ("فاطمة جواد الموسوي", "199003456789", "مديرة مكتب"),
    ("كرار عباس الشمري", "199205678901", "موظف الواردة"),
]


def test_nominate_approve_fill_cancel_promote_attend_certify_verify(
    page, new_page, live_server, settings, private_files, tmp_path
):
    settings.SITE_URL = live_server.url  # the QR code then opens this test server
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    secretariat = EntityFactory(code="COMSEC", name_ar="الأمانة العامة لمجلس الوزراء", name_en="General Secretariat")
    ministry = EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance")
    programme = ProgrammeFactory(
        owner=secretariat, code="DMS-101", title_ar="إدارة الوثائق الإلكترونية", title_en="Electronic documents"
    )
    admin = MembershipFactory(entity=secretariat, role=Role.TRAINING_ADMIN).user
    trainer = MembershipFactory(entity=secretariat, role=Role.REGISTRY_CLERK).user
    coordinator = MembershipFactory(entity=ministry, role=Role.TRAINING_COORDINATOR).user
    session = SessionFactory(programme=programme, trainer=trainer, capacity=2)
    QuotaFactory(entity=ministry, programme=programme, seats=5)
    session_path = f"/training/sessions/{session.pk}/"

    # --- the coordinator nominates three employees -----------------------------------------------
    sign_in_as(page, coordinator)
    page.goto("/training/")
    page.locator(f"main a[href='{session_path}']").click()
    expect(page).to_have_url(re.compile(re.escape(session_path) + "$"))
    for name, national_id, title in EMPLOYEES:
        page.fill("input[name=full_name]", name)
        page.fill("input[name=national_id]", national_id)
        page.fill("input[name=job_title]", title)
        page.get_by_role("button", name=arabic("Nominate"), exact=True).click()
        page.wait_for_load_state()
        expect(page.locator(".banner--success")).to_contain_text(name)
    expect(page.locator("#pending + ul li")).to_have_count(3)
    assert Nomination.objects.filter(entity=ministry, status="nominated").count() == 3

    # --- the Secretariat's training administrator approves them -----------------------------------
    secretariat_page = new_page()
    sign_in_as(secretariat_page, admin)
    secretariat_page.goto("/training/nominations/")
    for name, _national_id, _title in EMPLOYEES:
        secretariat_page.get_by_role("button", name=arabic("Approve %(name)s") % {"name": name}).click()
        secretariat_page.wait_for_load_state()
        expect(secretariat_page.locator(".banner--success")).to_contain_text(name)
    expect(secretariat_page.locator("form[action$='/approve/']")).to_have_count(0)

    # --- the session is full: two seats taken, the third waits -------------------------------------
    page.goto(session_path)
    expect(page.locator("#seats .tag")).to_have_text(arabic("Full"))
    rows = page.locator("#places ~ .table-wrap tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(arabic_label(EnrollmentStatus.ENROLLED))
    expect(rows.nth(1)).to_contain_text(arabic_label(EnrollmentStatus.ENROLLED))
    expect(rows.nth(2)).to_contain_text(arabic_label(EnrollmentStatus.WAITLISTED))
    expect(rows.nth(2)).to_contain_text(EMPLOYEES[2][0])

    # --- a cancellation: the waiting trainee takes the seat, and the coordinator is told -------------
    Notification.objects.all().delete()
    page.get_by_role("link", name=arabic("Cancel the place of %(name)s") % {"name": EMPLOYEES[1][0]}).click()
    page.wait_for_load_state()  # first, what cancelling does
    expect(page.locator(".consequences")).to_contain_text(
        arabic("The seat goes at once to the first person on the waiting list, who is told, with their coordinator.")
    )
    page.get_by_role("button", name=arabic("Cancel the place")).click()
    page.wait_for_load_state()
    expect(page.locator(".banner--success")).to_contain_text(EMPLOYEES[2][0])
    rows = page.locator("#places ~ .table-wrap tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text(EMPLOYEES[2][0])
    expect(rows.nth(1)).to_contain_text(arabic_label(EnrollmentStatus.ENROLLED))
    assert Notification.objects.filter(user=coordinator).count() == 1
    page.reload()
    expect(page.locator(".site-header__nav a[href='/notifications/'] .count-badge")).to_contain_text("1")

    # --- time passes: the session is held today; the trainer marks attendance ------------------------
    today = timezone.localdate()
    Session.objects.filter(pk=session.pk).update(start_date=today, end_date=today)
    room = new_page()
    sign_in_as(room, trainer)
    room.goto("/training/")
    room.locator(f"#teaching + ul a[href='{session_path}attendance/']").click()
    boxes = room.locator("input[name=present]")
    expect(boxes).to_have_count(2)
    room.get_by_role("checkbox", name=re.compile(re.escape(EMPLOYEES[0][0]))).check()
    room.get_by_role("checkbox", name=re.compile(re.escape(EMPLOYEES[2][0]))).check()
    room.get_by_role("button", name=arabic("Save attendance")).click()
    room.wait_for_load_state()
    expect(room.locator(".banner--success")).to_be_visible()
    expect(room.locator(".checklist .tag--green")).to_have_count(2)

    # --- the result: the first trainee passes and the certificate is issued -------------------------
    room.fill(f"#results ~ .table-wrap tr:has-text('{EMPLOYEES[0][0]}') input[name=score]", "88")
    room.get_by_role("button", name=arabic("Record the result of %(name)s") % {"name": EMPLOYEES[0][0]}).click()
    room.wait_for_load_state()
    certificate = TrainingCertificate.objects.select_related("artifact", "enrollment__trainee").get()
    assert certificate.enrollment.trainee.national_id == EMPLOYEES[0][1]
    assert certificate.serial == f"COMSEC-TR-{certificate.issued_at.year}-000001"
    expect(room.locator(".banner--success")).to_contain_text(certificate.serial)
    statuses = dict(Enrollment.objects.values_list("trainee__national_id", "status"))
    assert statuses == {
        EMPLOYEES[0][1]: EnrollmentStatus.COMPLETED,
        EMPLOYEES[1][1]: EnrollmentStatus.CANCELLED,
        EMPLOYEES[2][1]: EnrollmentStatus.ENROLLED,
    }

    # --- the coordinator downloads the PDF; its QR code opens the public verify page ------------------
    page.goto("/notifications/")
    certificate_path = f"/training/certificates/{certificate.pk}/"
    page.locator(f"main a[href='{certificate_path}']").first.click()
    expect(page.locator("main h1")).to_contain_text(certificate.serial)
    with page.expect_download() as download_info:
        page.locator(f"a[href='{certificate_path}pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.save_as(pdf)
    text, verify = pdf_text_and_qr(pdf, tmp_path)
    assert EMPLOYEES[0][0] in text and certificate.serial in text
    assert verify.startswith(live_server.url)
    assert urlsplit(verify).path == certificate.artifact.path

    visitor = new_page()
    visitor.goto(verify)
    expect(visitor.locator(".panel--genuine")).to_be_visible()
    expect(visitor.get_by_role("heading", level=1, name=arabic("This document is genuine"), exact=True)).to_be_visible()
    expect(visitor.locator(".status-line .tag")).to_have_text(arabic("Valid"))
    expect(visitor.locator("main")).to_contain_text(certificate.serial)
    expect(visitor.locator("main")).not_to_contain_text(EMPLOYEES[0][0])  # personal details are masked
    expect(visitor.locator("main")).not_to_contain_text(EMPLOYEES[0][1])
