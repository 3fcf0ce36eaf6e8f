import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from datacenter.constants import MAX_ATTACHMENT_BYTES, Outcome, RequestStatus
from datacenter.models import AuthenticityRequest, Certificate
from datacenter.services import (
    certificate_revoke,
    request_answer,
    request_resubmit,
    request_return,
    request_submit,
)
from govportal.accounts.constants import Role
from govportal.notifications.models import Notification
from govportal.verification.services import token_verify, verify_url
from tests.conftest import login_staff
from tests.datacenter.conftest import DETAILS, scan
from tests.factories import EntityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_submitting_tells_the_issuers_and_keeps_the_scan_privately(world, submitted):
    item = submitted()
    assert item.reference.startswith("MOF-R")
    assert item.status == RequestStatus.SUBMITTED
    assert item.attachment_content_type == "application/pdf"
    assert Notification.objects.filter(user=world["issuer"]).count() == 1
    anonymous = Client()
    assert anonymous.get("/" + item.attachment.name).status_code == 404  # no public URL for stored files
    assert anonymous.get(f"/datacenter/requests/{item.pk}/scan").status_code == 302  # sign in first


@pytest.mark.parametrize(
    ("content", "code", "arabic"),
    [
        (b"MZ\x90\x00 an executable renamed to .pdf", "bad_type", "PDF أو JPEG أو PNG"),
        (b"", "empty", "فارغ"),
        (b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "too_large", "حجم الملف أكبر من 10 ميغابايت."),
    ],
)
def test_bad_scans_are_refused_by_content_and_nothing_is_saved(world, content, code, arabic):
    with pytest.raises(ValidationError) as error:
        request_submit(
            requesting_entity=world["ministry"],
            issuing_entity=world["datacentre"],
            details=DETAILS,
            attachment=scan(content),
            note="",
            actor=world["clerk"],
        )
    assert error.value.code == code
    assert arabic in " ".join(error.value.messages)
    assert not AuthenticityRequest.objects.exists()


def test_an_entity_cannot_ask_itself(world):
    with pytest.raises(ValidationError):
        request_submit(
            requesting_entity=world["ministry"],
            issuing_entity=world["ministry"],
            details=DETAILS,
            attachment=scan(),
            note="",
            actor=world["clerk"],
        )


def test_answering_issues_gapless_serials_and_a_verifiable_certificate(world, submitted):
    first = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    second = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    year = first.issued_at.year
    assert [first.serial, second.serial] == [f"NDC-{year}-000001", f"NDC-{year}-000002"]
    assert token_verify(first.artifact.token).genuine
    assert first.request.status == RequestStatus.ANSWERED
    assert Notification.objects.filter(user=world["clerk"], url__contains=str(first.pk)).exists()


def test_not_confirmed_needs_a_reason(world, submitted):
    item = submitted()
    with pytest.raises(ValidationError):
        request_answer(item=item, outcome=Outcome.NOT_CONFIRMED, reason=" ", actor=world["issuer"])
    assert not Certificate.objects.exists()
    certificate = request_answer(
        item=item, outcome=Outcome.NOT_CONFIRMED, reason="لا يوجد في السجل", actor=world["issuer"]
    )
    assert certificate.outcome == Outcome.NOT_CONFIRMED


def test_returned_requests_come_back_with_the_missing_information(world, submitted):
    item = request_return(item=submitted(), reason="الصورة غير واضحة", actor=world["issuer"])
    assert item.status == RequestStatus.RETURNED
    with pytest.raises(ValidationError):
        request_answer(item=item, outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    item = request_resubmit(item=item, note="أرفقنا نسخة أوضح", actor=world["clerk"])
    assert item.status == RequestStatus.SUBMITTED
    assert "أرفقنا نسخة أوضح" in item.note


def test_only_the_issuing_entitys_head_revokes(world, submitted):
    certificate = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=certificate, reason="x", actor=world["issuer"])
    certificate_revoke(certificate=certificate, reason="صدرت خطأً", actor=world["head"])
    result = token_verify(certificate.artifact.token)
    assert result.genuine and result.status == "revoked"


def test_an_issuer_of_another_entity_sees_neither_queue_nor_request(world, submitted, staff_client):
    item = submitted()
    stranger = MembershipFactory(entity=EntityFactory(code="MOH"), role=Role.CERTIFICATE_ISSUER)
    client = staff_client(stranger)
    assert item.reference not in client.get("/datacenter/queue/").content.decode()
    assert client.get(f"/datacenter/requests/{item.pk}/").status_code == 404
    assert client.get(f"/datacenter/requests/{item.pk}/scan").status_code == 404
    own = login_staff(Client(), world["issuer"].memberships.get())
    assert item.reference in own.get("/datacenter/queue/").content.decode()


def test_the_answer_form_shows_errors_beside_the_field(world, submitted):
    item = submitted()
    client = login_staff(Client(), world["issuer"].memberships.get())
    response = client.post(f"/datacenter/requests/{item.pk}/answer/", {"outcome": "not_confirmed", "reason": ""})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Certificate.objects.exists()


needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs poppler-utils and zbar-tools",
)


@needs_poppler
def test_the_pdf_carries_the_arabic_text_and_a_qr_that_leads_to_the_verify_page(world, submitted, tmp_path: Path):
    certificate = request_answer(item=submitted(), outcome=Outcome.CONFIRMED, reason="", actor=world["issuer"])
    client = login_staff(Client(), world["clerk"].memberships.get())
    response = client.get(f"/datacenter/certificates/{certificate.pk}/pdf")
    assert response.status_code == 200
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "أحمد كريم العبيدي" in text
    assert certificate.serial in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert decoded.stdout.strip() == verify_url(certificate.artifact)
    page = Client().get(decoded.stdout.strip().removeprefix(settings.SITE_URL))
    with translation.override("ar"):
        assert gettext("This document is genuine") in page.content.decode()


def test_the_issuers_workspace_counts_open_and_overdue_requests(world, submitted):
    from django.utils import timezone

    submitted()
    late = submitted()
    AuthenticityRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(days=1))
    client = login_staff(Client(), world["issuer"].memberships.get())
    html = client.get(f"/workspace/{world['datacentre'].code}/").content.decode()
    assert "/datacenter/queue/" in html
    assert '<p class="card__count"><bdi>2</bdi>' in html
    assert "tag--red" in html
