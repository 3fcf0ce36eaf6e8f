"""What an operator may do to a record from the admin: each action calls the service the staff
pages call (so it is audited and its rules hold), and the ones that cannot be undone show a
confirmation page naming the consequences first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from collection.constants import PaymentStatus
from collection.models import Discrepancy, Payment, PaymentEvent, Receipt, SandboxCharge
from collection.providers import sandbox
from collection.services import Line, payment_start
from datacenter.models import Certificate
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.verification.constants import ArtifactStatus, KeyStatus
from govportal.verification.models import SigningKey
from govportal.verification.services import key_create
from tests.collection.payments_world import world  # noqa: F401  (a fund, its staff, a citizen with two bills)
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    DiscrepancyFactory,
    EntityFactory,
    MembershipFactory,
    PaymentFactory,
    ReceiptFactory,
    StatementFactory,
    TrainingCertificateFactory,
    UserFactory,
    current_totp,
)

pytestmark = pytest.mark.django_db


def _changelist(model: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _object_action(obj: Any, name: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_record_action", args=[obj.pk, name])


def _run(client: Client, model: Any, action: str, objects: list[Any], **answers: str) -> Any:
    """The changelist's menu: select, choose the action, then confirm with the answers."""
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects]}
    return client.post(_changelist(model), {**data, "confirm": "yes", **answers}, follow=True)


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _shows(response: Any, text: Any) -> bool:
    return escape(str(text)) in response.content.decode()


def _names_every_consequence(response: Any, model: Any, name: str) -> bool:
    action = next(action for action in admin.site._registry[model].record_actions if action.name == name)
    assert action.consequences
    return all(_shows(response, consequence) for consequence in action.consequences)


# --- discrepancies ------------------------------------------------------------------------------


def test_resolving_a_discrepancy_asks_what_was_done_and_names_the_consequence_first(admin_client):
    discrepancy = DiscrepancyFactory()
    response = admin_client.post(_changelist(Discrepancy), {"action": "resolve", "_selected_action": [discrepancy.pk]})
    assert response.status_code == 200
    assert _names_every_consequence(response, Discrepancy, "resolve")
    assert 'name="resolution"' in response.content.decode() and 'name="note"' in response.content.decode()
    discrepancy.refresh_from_db()
    assert discrepancy.resolved_at is None


def test_a_discrepancy_is_resolved_through_the_service_only_by_its_entitys_officer(admin_client):
    discrepancy = DiscrepancyFactory()
    answers = {"resolution": "confirmed_with_provider", "note": "Checked the provider's portal: 50,000 IQD."}

    refused = _run(admin_client, Discrepancy, "resolve", [discrepancy], **answers)
    assert refused.status_code == 200
    assert any(discrepancy.payment.payment_ref in message for message in _messages(refused))
    assert Discrepancy.objects.get(pk=discrepancy.pk).resolved_at is None
    assert not AuditEvent.objects.filter(action="discrepancy_resolve").exists()

    MembershipFactory(user=admin_client.admin, entity=discrepancy.collecting_entity, role=Role.FUND_OFFICER)
    done = _run(admin_client, Discrepancy, "resolve", [discrepancy], **answers)
    discrepancy.refresh_from_db()
    assert discrepancy.resolution == "confirmed_with_provider" and discrepancy.resolved_by == admin_client.admin
    event = AuditEvent.objects.get(action="discrepancy_resolve")
    assert event.actor == admin_client.admin and event.data["note"] == answers["note"]
    assert any("1" in message for message in _messages(done))


def test_a_resolution_without_a_note_is_refused_on_the_confirmation_page_and_nothing_changes(admin_client):
    discrepancy = DiscrepancyFactory()
    MembershipFactory(user=admin_client.admin, entity=discrepancy.collecting_entity, role=Role.FUND_OFFICER)
    response = _run(admin_client, Discrepancy, "resolve", [discrepancy], resolution="credited", note="")
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert Discrepancy.objects.get(pk=discrepancy.pk).resolved_at is None


def test_a_resolved_discrepancy_is_left_as_it_was(admin_client):
    discrepancy = DiscrepancyFactory()
    MembershipFactory(user=admin_client.admin, entity=discrepancy.collecting_entity, role=Role.FUND_OFFICER)
    answers = {"resolution": "credited", "note": "Credited by hand."}
    _run(admin_client, Discrepancy, "resolve", [discrepancy], **answers)
    again = _run(admin_client, Discrepancy, "resolve", [discrepancy], **answers)
    assert AuditEvent.objects.filter(action="discrepancy_resolve").count() == 1
    assert any("1" in message for message in _messages(again))


# --- payments and provider events ---------------------------------------------------------------


def _pending(world: dict[str, Any]) -> Payment:  # noqa: F811
    return payment_start(payer=world["citizen"], lines=[Line(obligation=b, amount=b.remaining) for b in world["bills"]])


def test_cancelling_a_pending_payment_shows_what_will_happen_on_get_and_runs_on_post(admin_client, world):  # noqa: F811
    payment = _pending(world)
    url = _object_action(payment, "cancel")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert _shows(page, payment.payment_ref) and _names_every_consequence(page, Payment, "cancel")
    assert 'name="confirm"' in page.content.decode() and 'name="reason"' in page.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING

    response = admin_client.post(url, {"confirm": "yes", "reason": "The citizen asked at the counter."})
    assert response.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELLED
    assert SandboxCharge.objects.get(pk=payment.provider_ref).state == SandboxCharge.State.CANCELLED
    event = AuditEvent.objects.get(action="payment_cancel")
    assert event.actor == admin_client.admin
    assert event.data["reason"] == "cancelled_by_admin: The citizen asked at the counter."


def test_the_payment_page_offers_cancel_only_while_the_payment_is_unfinished(admin_client):
    pending, paid = PaymentFactory(pending=True), PaymentFactory()
    change = "admin:collection_payment_change"
    assert _object_action(pending, "cancel") in admin_client.get(reverse(change, args=[pending.pk])).content.decode()
    assert _object_action(paid, "cancel") not in admin_client.get(reverse(change, args=[paid.pk])).content.decode()
    response = _run(admin_client, Payment, "cancel", [paid], reason="wrong")
    assert Payment.objects.get(pk=paid.pk).status == PaymentStatus.SUCCEEDED
    assert not AuditEvent.objects.filter(action="payment_cancel").exists()
    assert response.status_code == 200


def test_a_stored_provider_event_whose_task_was_lost_is_processed_from_the_admin(admin_client, world):  # noqa: F811
    payment = _pending(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SILENT_SUCCESS)
    event = PaymentEvent.objects.create(
        provider="sandbox",
        event_id="evt_lost",
        kind="payment.succeeded",
        payment_ref=payment.payment_ref,
        payload={"data": {"amount": payment.amount, "currency": "IQD"}},
    )
    response = _run(admin_client, PaymentEvent, "process", [event])
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.outcome == "applied" and event.processed_at is not None
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert Receipt.objects.filter(payment=payment).exists()
    audited = AuditEvent.objects.get(action="payment_event_process")
    assert audited.actor == admin_client.admin and audited.data["outcome"] == "applied"
    assert AuditEvent.objects.filter(action="payment_succeed").count() == 1

    _run(admin_client, PaymentEvent, "process", [event])  # processed once only
    assert AuditEvent.objects.filter(action="payment_event_process").count() == 1


def test_asking_the_provider_settles_a_payment_that_sent_no_notification(admin_client, world):  # noqa: F811
    payment = _pending(world)
    sandbox.charge_pay(charge_id=payment.provider_ref, card_number=sandbox.CARD_SILENT_SUCCESS)
    _run(admin_client, Payment, "sync", [payment])
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


# --- certificates and keys ----------------------------------------------------------------------


def test_revoking_a_certificate_names_the_consequences_and_needs_the_issuers_head(admin_client):
    certificate = CertificateFactory()
    url = _object_action(certificate, "revoke")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert _names_every_consequence(page, Certificate, "revoke")

    admin_client.post(url, {"confirm": "yes", "reason": "Issued in error"})
    certificate.artifact.refresh_from_db()
    assert certificate.artifact.status == ArtifactStatus.VALID  # no role at the issuing entity: refused

    MembershipFactory(user=admin_client.admin, entity=certificate.issuing_entity, role=Role.ENTITY_HEAD)
    missing_reason = admin_client.post(url, {"confirm": "yes", "reason": ""})
    assert missing_reason.status_code == 200 and 'class="errorlist"' in missing_reason.content.decode()
    admin_client.post(url, {"confirm": "yes", "reason": "Issued in error"})
    certificate.artifact.refresh_from_db()
    assert certificate.artifact.status == ArtifactStatus.REVOKED
    assert certificate.artifact.revoked_reason == "Issued in error"
    event = AuditEvent.objects.get(action="certificate_revoke")
    assert event.actor == admin_client.admin and event.data == {"reason": "Issued in error"}


def test_revoking_a_signing_key_shows_what_it_breaks_then_revokes_it_through_the_service(admin_client):
    key = key_create(entity=EntityFactory())
    url = _object_action(key, "revoke")
    page = admin_client.get(url)
    assert page.status_code == 200 and _shows(page, key.kid) and _names_every_consequence(page, SigningKey, "revoke")
    assert key.__class__.objects.get(pk=key.pk).status == KeyStatus.ACTIVE
    admin_client.post(url, {"confirm": "yes", "reason": "Private key copied to a lost laptop"})
    key.refresh_from_db()
    assert key.status == KeyStatus.REVOKED
    event = AuditEvent.objects.get(action="key_revoke")
    assert event.actor == admin_client.admin and event.data == {"reason": "Private key copied to a lost laptop"}


# --- PDFs ----------------------------------------------------------------------------------------


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.mark.parametrize(
    "factory",
    [ReceiptFactory, CertificateFactory, TrainingCertificateFactory],
    ids=["receipt", "certificate", "training_certificate"],
)
def test_rendering_a_pdf_again_replaces_the_stored_file_after_confirmation(
    admin_client, storage, factory, django_capture_on_commit_callbacks
):
    from govportal.pdf.services import pdf_render

    record = pdf_render(instance=factory())
    old = record.pdf.name
    assert (storage / old).read_bytes().startswith(b"%PDF")
    url = _object_action(record, "render_pdf")
    page = admin_client.get(url)
    assert page.status_code == 200 and _names_every_consequence(page, type(record), "render_pdf")
    assert type(record).objects.get(pk=record.pk).pdf.name == old

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.pdf.name and record.pdf.name != old
    assert (storage / record.pdf.name).read_bytes().startswith(b"%PDF")
    assert not (storage / old).exists()
    event = AuditEvent.objects.get(action="pdf_rerender")
    assert event.actor == admin_client.admin and event.target_id == str(record.pk)
    assert (event.data["replaced"], event.data["file"]) == (old, record.pdf.name)


def test_a_statement_without_its_pdf_gets_it_and_one_with_it_is_left_alone(admin_client, storage):
    from housing_fund.models import Statement

    missing = StatementFactory()
    response = _run(admin_client, Statement, "render_pdf", [missing])
    missing.refresh_from_db()
    assert missing.pdf and (storage / missing.pdf.name).read_bytes().startswith(b"%PDF")
    kept = missing.pdf.name
    again = _run(admin_client, Statement, "render_pdf", [missing])
    missing.refresh_from_db()
    assert missing.pdf.name == kept
    assert response.status_code == again.status_code == 200
    assert len(_messages(again)) == 1


# --- who may ------------------------------------------------------------------------------------


def test_staff_who_are_not_superusers_get_no_record_actions(db):
    from django.contrib.auth.models import Permission

    certificate = CertificateFactory()
    staff = UserFactory(is_staff=True, with_totp=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client = Client()
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_totp(staff)})
    page = client.get(reverse("admin:datacenter_certificate_change", args=[certificate.pk]))
    assert page.status_code == 200
    assert _object_action(certificate, "revoke") not in page.content.decode()
    assert 'value="revoke"' not in client.get(_changelist(type(certificate))).content.decode()
    assert client.get(_object_action(certificate, "revoke")).status_code == 403
    assert client.post(_object_action(certificate, "revoke"), {"confirm": "yes", "reason": "x"}).status_code == 403
    certificate.artifact.refresh_from_db()
    assert certificate.artifact.status == ArtifactStatus.VALID


def test_an_administrator_removing_a_lost_authenticator_is_audited(admin_client):
    from allauth.mfa.models import Authenticator

    staff = UserFactory(with_totp=True)
    authenticator = Authenticator.objects.get(user=staff)
    response = admin_client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=staff).exists()
    event = AuditEvent.objects.get(action="mfa_remove")
    assert event.actor == admin_client.admin and event.target_id == str(staff.pk)
