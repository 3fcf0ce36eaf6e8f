"""Bills through the API, with real tokens: an agency's system posts, reads, lists and cancels its bills;
scopes and entities fence it in; an Idempotency-Key makes a retry return the same bill."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from collection.models import Obligation
from collection.services import Line, payment_start
from govportal.api.idempotency import idempotency_keys_purge
from govportal.api.models import IdempotencyKey
from govportal.audit.models import AuditEvent
from tests.factories import CitizenProfileFactory, EntityFactory

pytestmark = pytest.mark.django_db

NATIONAL_ID = "198805551234"


def body(**changes: Any) -> dict[str, Any]:
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    return {
        "national_id": NATIONAL_ID,
        "purpose": "قائمة الكهرباء لشهر آذار 2026",
        "amount": 42_500,
        "due_date": due,
        "reference": "ELEC-2026-03-000123",
        **changes,
    }


@pytest.fixture
def agency(api_client_of, bearer):
    """An electricity directorate's billing system: its client, its entity and its headers."""
    entity = EntityFactory(code="MOE-DIST-T")
    client, secret = api_client_of("bills:write", "bills:read", entity=entity)
    return {"client": client, "entity": entity, "headers": bearer(client, secret)}


def post(client, headers, data, **extra_headers):
    return client.post("/api/v1/bills", data, content_type="application/json", headers={**headers, **extra_headers})


def test_an_agency_posts_reads_lists_and_cancels_a_bill(client, agency):
    created = post(client, agency["headers"], body())
    assert created.status_code == 201, created.content
    bill = created.json()
    assert bill["reference"] == "ELEC-2026-03-000123"
    assert bill["national_id"] == "••••••••1234"
    assert bill["purpose"] == "قائمة الكهرباء لشهر آذار 2026"
    assert (bill["amount"], bill["amount_paid"], bill["status"]) == (42_500, 0, "open")
    assert bill["payer_linked"] is False  # nobody has this national ID yet: the bill waits
    stored = Obligation.objects.get(pk=bill["id"])
    assert stored.collecting_entity == agency["entity"] and stored.payer is None
    assert AuditEvent.objects.filter(action="obligation_create", target_id=bill["id"]).exists()

    read = client.get(f"/api/v1/bills/{bill['id']}", headers=agency["headers"])
    assert read.status_code == 200 and read.json() == bill

    listed = client.get("/api/v1/bills", {"reference": "ELEC-2026-03-000123"}, headers=agency["headers"])
    assert listed.status_code == 200 and listed.json() == {"items": [bill], "next_cursor": None}

    cancelled = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=agency["headers"])
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert AuditEvent.objects.get(action="obligation_cancel", target_id=bill["id"]).data["client"] == (
        agency["client"].client_id
    )
    again = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=agency["headers"])
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


def test_a_bill_for_a_citizen_who_signed_in_nationally_is_theirs_at_once(client, agency):
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, national_id_verified_at=timezone.now()).user
    created = post(client, agency["headers"], body())
    assert created.json()["payer_linked"] is True
    assert Obligation.objects.get(pk=created.json()["id"]).payer == citizen


def test_the_list_pages_newest_first_and_filters_by_status(client, agency):
    ids = [post(client, agency["headers"], body(reference=f"R-{n}")).json()["id"] for n in range(5)]
    client.post(f"/api/v1/bills/{ids[0]}/cancel", headers=agency["headers"])
    first = client.get("/api/v1/bills", {"limit": 3}, headers=agency["headers"]).json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:3]
    second = client.get("/api/v1/bills", {"limit": 3, "cursor": first["next_cursor"]}, headers=agency["headers"])
    assert [item["id"] for item in second.json()["items"]] == ids[::-1][3:]
    assert second.json()["next_cursor"] is None
    cancelled = client.get("/api/v1/bills", {"status": "cancelled"}, headers=agency["headers"]).json()
    assert [item["id"] for item in cancelled["items"]] == [ids[0]]


def test_a_reference_used_again_without_a_key_is_409(client, agency):
    assert post(client, agency["headers"], body()).status_code == 201
    again = post(client, agency["headers"], body(amount=1_000))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_reference"
    assert Obligation.objects.count() == 1


def test_another_entity_may_use_the_same_reference(client, agency, api_client_of, bearer):
    assert post(client, agency["headers"], body()).status_code == 201
    other, secret = api_client_of("bills:write")
    assert post(client, bearer(other, secret), body()).status_code == 201


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"national_id": "12345"}, "national_id"),
        ({"national_id": "١٩٨٨٠٥٥٥١٢٣٤"}, "national_id"),  # Arabic-Indic digits: a program sends ASCII
        ({"national_id": "111111111111"}, "national_id"),
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"purpose": "   "}, "purpose"),
        ({"purpose": "a\x00b"}, "purpose"),
        ({"reference": "has space"}, "reference"),
        ({"due_date": "31/03/2026"}, "due_date"),
        ({"category": "housing_installment"}, "category"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_creates_nothing(client, agency, changes, field):
    response = post(client, agency["headers"], body(**changes))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Obligation.objects.exists()


def test_a_client_without_the_scope_gets_403(client, api_client_of, bearer):
    reader, secret = api_client_of("bills:read")
    response = post(client, bearer(reader, secret), body())
    assert response.status_code == 403 and response.json()["error"]["code"] == "insufficient_scope"
    verifier, secret = api_client_of("verify")
    headers = bearer(verifier, secret)
    assert client.get("/api/v1/bills", headers=headers).status_code == 403
    assert not Obligation.objects.exists()


def test_a_reader_cannot_cancel(client, agency, api_client_of, bearer):
    bill = post(client, agency["headers"], body()).json()
    reader, secret = api_client_of("bills:read", entity=agency["entity"])
    response = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=bearer(reader, secret))
    assert response.status_code == 403
    assert Obligation.objects.get(pk=bill["id"]).status == "open"


def test_another_entitys_bill_is_404(client, agency, api_client_of, bearer):
    bill = post(client, agency["headers"], body()).json()
    other, secret = api_client_of("bills:write", "bills:read")
    headers = bearer(other, secret)
    assert client.get(f"/api/v1/bills/{bill['id']}", headers=headers).status_code == 404
    cancel = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=headers)
    assert cancel.status_code == 404 and cancel.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/bills", headers=headers).json()["items"] == []
    assert Obligation.objects.get(pk=bill["id"]).status == "open"


def test_a_retry_with_the_same_key_returns_the_same_bill(client, agency):
    first = post(client, agency["headers"], body(), **{"Idempotency-Key": "3f1c6a52-retry"})
    retry = post(client, agency["headers"], body(), **{"Idempotency-Key": "3f1c6a52-retry"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert Obligation.objects.count() == 1
    assert AuditEvent.objects.filter(action="obligation_create").count() == 1


def test_the_same_key_with_another_body_is_422(client, agency):
    post(client, agency["headers"], body(), **{"Idempotency-Key": "k-1"})
    other = post(client, agency["headers"], body(amount=99_000), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_mismatch"
    assert Obligation.objects.count() == 1


def test_keys_are_per_client(client, agency, api_client_of, bearer):
    post(client, agency["headers"], body(), **{"Idempotency-Key": "shared"})
    other, secret = api_client_of("bills:write")
    response = post(client, bearer(other, secret), body(), **{"Idempotency-Key": "shared"})
    assert response.status_code == 201 and response.json()["id"] != Obligation.objects.first().pk
    assert Obligation.objects.count() == 2


def test_a_refused_request_keeps_no_key(client, agency):
    post(client, agency["headers"], body())
    refused = post(client, agency["headers"], body(), **{"Idempotency-Key": "after-409"})
    assert refused.status_code == 409
    assert not IdempotencyKey.objects.exists()
    fixed = post(client, agency["headers"], body(reference="ELEC-NEW"), **{"Idempotency-Key": "after-409"})
    assert fixed.status_code == 201


def test_a_key_too_long_is_400(client, agency):
    response = post(client, agency["headers"], body(), **{"Idempotency-Key": "x" * 256})
    assert response.status_code == 400 and not Obligation.objects.exists()


def test_keys_expire_after_a_day(client, agency):
    post(client, agency["headers"], body(), **{"Idempotency-Key": "old"})
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    # Not purged yet: an expired key is a new key (this body's reference is already used: 409).
    assert post(client, agency["headers"], body(), **{"Idempotency-Key": "old"}).status_code == 409
    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()


def _payment_started(bill_id: str, amount: int) -> None:
    bill = Obligation.objects.get(pk=bill_id)
    citizen = CitizenProfileFactory(national_id=NATIONAL_ID, national_id_verified_at=timezone.now()).user
    Obligation.objects.filter(pk=bill.pk).update(payer=citizen)
    bill.refresh_from_db()
    payment = payment_start(payer=citizen, lines=[Line(obligation=bill, amount=amount)])
    assert payment.pk


def test_a_bill_with_a_payment_under_way_is_not_cancellable(client, agency):
    bill = post(client, agency["headers"], body()).json()
    _payment_started(bill["id"], 42_500)
    response = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=agency["headers"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_cancellable"
    assert Obligation.objects.get(pk=bill["id"]).status == "open"


@pytest.mark.parametrize("paid, status", [(42_500, "paid"), (10_000, "partially_paid")])
def test_a_paid_or_partly_paid_bill_is_not_cancellable(client, agency, paid, status):
    bill = post(client, agency["headers"], body()).json()
    Obligation.objects.filter(pk=bill["id"]).update(amount_paid=paid, status=status)  # as a payment leaves it
    assert client.get(f"/api/v1/bills/{bill['id']}", headers=agency["headers"]).json()["amount_paid"] == paid
    response = client.post(f"/api/v1/bills/{bill['id']}/cancel", headers=agency["headers"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_cancellable"
    assert Obligation.objects.get(pk=bill["id"]).status == status


def test_a_body_that_is_not_json_is_a_json_400(client, agency):
    response = client.post("/api/v1/bills", b"\x00", content_type="application/json", headers=agency["headers"])
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_a_broken_multipart_body_is_a_json_400_not_a_500(client, agency):
    response = client.post(
        "/api/v1/bills/00000000-0000-0000-0000-000000000000/cancel",
        b"x",
        content_type="multipart/form-data",
        headers=agency["headers"],
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
