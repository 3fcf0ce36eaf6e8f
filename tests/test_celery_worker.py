"""Tasks through a real Celery worker process on Redis (run in CI; skipped without REDIS_URL)."""

import email
import time
from pathlib import Path

import pytest
from django.test import Client

from govportal.audit.tasks import audit_verify_chain
from tests.factories import EntityFactory

pytestmark = [pytest.mark.redis]

SIGNUP = {
    "email": "worker-test@example.iq",
    "password1": "Baghdad-Tigris-2026",
    "password2": "Baghdad-Tigris-2026",
    "full_name": "Worker Test",
    "national_id": "198807654321",
    "phone": "07801234567",
}


def wait_for_files(directory: Path, timeout: float = 20) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = [p for p in directory.iterdir() if p.stat().st_size > 0]
        if files:
            return files
        time.sleep(0.2)
    return []


def test_signup_verification_mail_is_delivered_by_the_worker(celery_worker, client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    files = wait_for_files(Path(celery_worker["mail_dir"]))
    assert files, "the worker delivered no e-mail"
    message = email.message_from_string(files[0].read_text().split("\n" + "-" * 79)[0])
    assert message["To"] == "worker-test@example.iq"
    body = message.get_payload(decode=True).decode()
    assert "/accounts/confirm-email/" in body


def test_nightly_audit_check_runs_on_the_worker(celery_worker):
    EntityFactory()
    EntityFactory()
    # disable_sync_subtasks: earlier in-process (eager) tasks in this test process can leave Celery
    # believing it is inside a task; this test is not.
    result = audit_verify_chain.delay().get(timeout=20, disable_sync_subtasks=False)
    assert result == {"ok": True, "checked": 2, "broken_at": None}


def test_certificate_pdf_is_rendered_by_the_worker(celery_worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from datacenter.constants import Outcome
    from datacenter.models import Certificate
    from datacenter.services import request_answer, request_submit
    from govportal.accounts.constants import Role
    from tests.datacenter.conftest import DETAILS
    from tests.factories import MembershipFactory

    ministry, datacentre = EntityFactory(code="MOF"), EntityFactory(code="NDC")
    clerk = MembershipFactory(entity=ministry, role=Role.REGISTRY_CLERK).user
    issuer = MembershipFactory(entity=datacentre, role=Role.CERTIFICATE_ISSUER).user
    item = request_submit(
        requesting_entity=ministry,
        issuing_entity=datacentre,
        details=DETAILS,
        attachment=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        note="",
        actor=clerk,
    )
    certificate = request_answer(item=item, outcome=Outcome.CONFIRMED, reason="", actor=issuer)
    stored = wait_for_file(Certificate, certificate.pk)
    assert stored, "the worker did not render the PDF"
    with stored.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def wait_for_file(model, pk, field: str = "pdf", timeout: float = 40):
    """The object's stored file once the worker has rendered it, or an empty one after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not getattr(model.objects.get(pk=pk), field):
        time.sleep(0.3)
    return getattr(model.objects.get(pk=pk), field)


def test_a_dispatched_letters_pdf_is_rendered_by_the_worker_and_then_served(celery_worker):
    """Dispatch queues the render by name; the real worker renders and stores it; the letter's PDF
    page, "being prepared" until then, now serves that file."""
    from documents.models import Letter
    from govportal.accounts.models import Membership
    from tests.conftest import login_staff
    from tests.documents.conftest import dispatch, make_office

    office = make_office()
    letter = dispatch(office)

    stored = wait_for_file(Letter, letter.pk)
    assert stored, "the worker did not render the letter"
    with stored.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    clerk = Membership.objects.get(user=office["clerk"])
    response = login_staff(Client(), clerk).get(f"/documents/letters/{letter.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with stored.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_sandbox_payment_settles_through_the_worker_and_real_webhooks(live_server, monkeypatch, settings, request):
    """The card is paid on the gateway; the worker posts the signed webhook (some twice) to the
    running portal, processes it, and renders the receipt: all over Redis, HTTP and PostgreSQL."""
    from collection import services
    from collection.models import Payment, PaymentEvent, Receipt
    from collection.providers import sandbox
    from tests.factories import CitizenProfileFactory, bill

    webhook_url = f"{live_server.url}/collection/webhooks/sandbox/"
    monkeypatch.setenv("PAYMENT_SANDBOX_WEBHOOK_URL", webhook_url)
    monkeypatch.setenv("PAYMENT_SANDBOX_DUPLICATE_PERCENT", "100")
    monkeypatch.setenv("PAYMENT_SANDBOX_MAX_DELAY", "1")
    settings.PAYMENT_SANDBOX_WEBHOOK_URL = webhook_url
    settings.PAYMENT_SANDBOX_DUPLICATE_PERCENT = 100
    request.getfixturevalue("celery_worker")  # started now, so it sees the variables above

    citizen = CitizenProfileFactory().user
    bills = [bill(citizen, EntityFactory(code="IHF"), 75_000)]
    payment = services.payment_start(payer=citizen, lines=[services.Line(obligation=bills[0], amount=75_000)])
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SUCCEEDS)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        receipt = Receipt.objects.filter(payment=payment).first()
        if receipt is not None and receipt.pdf and PaymentEvent.objects.count() == 1:
            break
        time.sleep(0.3)
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert receipt is not None and receipt.pdf, "the worker did not issue and render the receipt"
    with receipt.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    event = PaymentEvent.objects.get()
    assert event.outcome == "applied" and event.processed_at is not None
