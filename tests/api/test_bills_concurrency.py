"""Sixteen retries of one POST at the same instant, each on its own connection to PostgreSQL: one bill."""

from __future__ import annotations

import pytest
from django.test import Client

from collection.models import Obligation
from govportal.api.models import IdempotencyKey
from govportal.audit.models import AuditEvent
from tests.api.test_bills import body
from tests.collection.test_concurrency import run_together
from tests.factories import EntityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def headers(api_client_of, bearer):
    client, secret = api_client_of("bills:write", "bills:read", entity=EntityFactory(code="MOE-DIST-C"))
    return bearer(client, secret)


def post(headers: dict[str, str], **extra: str) -> tuple[int, dict]:
    response = Client().post("/api/v1/bills", body(), content_type="application/json", headers={**headers, **extra})
    return response.status_code, response.json()


def test_sixteen_concurrent_retries_of_one_key_make_exactly_one_bill(headers):
    results, errors = run_together(16, lambda _i: post(headers, **{"Idempotency-Key": "one-bill-16-tries"}))
    assert not errors
    assert [status for status, _body in results] == [201] * 16
    assert len({answer["id"] for _status, answer in results}) == 1
    assert Obligation.objects.count() == 1
    assert AuditEvent.objects.filter(action="obligation_create").count() == 1
    assert IdempotencyKey.objects.get().response_status == 201


def test_sixteen_concurrent_posts_of_one_reference_without_a_key_make_one_bill(headers):
    results, errors = run_together(16, lambda _i: post(headers))
    assert not errors
    assert sorted(status for status, _body in results) == [201] + [409] * 15
    assert {answer["error"]["code"] for status, answer in results if status == 409} == {"duplicate_reference"}
    assert Obligation.objects.count() == 1
