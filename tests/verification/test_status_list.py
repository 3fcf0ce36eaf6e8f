"""The status list the offline scanner keeps: issuers by name, and the documents no longer plainly
valid, found only by someone holding their token."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.utils import timezone

from govportal.verification.services import artifact_issue, artifact_note_add, artifact_revoke, artifact_supersede
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def issue(entity, serial):
    return artifact_issue(entity=entity, kind="receipt", serial=serial, content=serial.encode(), display=[])


def digest(artifact) -> str:
    return hashlib.sha256(artifact.token.encode()).hexdigest()


def status_list(client) -> dict:
    response = client.get("/verify/status.json")
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]
    return response.json()


def test_the_list_names_issuers_and_the_documents_not_plainly_valid(client):
    fund = EntityFactory(
        code="IHF",
        name_ar="صندوق الإسكان العراقي",
        name_en="Iraqi Housing Fund",
        name_ckb="سندووقی نیشتەجێبوونی عێراقی",
    )
    valid, revoked, replaced, replacement, changed = (issue(fund, f"IHF-RC-2026-00000{n}") for n in range(1, 6))
    assert status_list(client)["documents"] == {}  # cached now: every change below must show at once

    artifact_revoke(artifact=revoked, reason="Payment refunded")
    artifact_supersede(artifact=replaced, replacement=replacement)
    refunded = "Partially refunded %(amount)s IQD on %(date)s."
    artifact_note_add(artifact=changed, text=refunded, params={"amount": "30,000"})
    body = status_list(client)

    assert body["issuers"]["IHF"] == {
        "ar": "صندوق الإسكان العراقي",
        "en": "Iraqi Housing Fund",
        "ckb": "سندووقی نیشتەجێبوونی عێراقی",
    }
    documents = body["documents"]
    assert set(documents) == {digest(revoked), digest(replaced), digest(changed)}
    assert digest(valid) not in documents
    entry = documents[digest(revoked)]
    assert entry["status"] == "revoked" and entry["revoked_at"]
    assert set(entry["reason"]) == {"ar", "ckb", "en"}  # in each of the portal's languages
    assert (entry["reason"]["ar"], entry["reason"]["en"]) == ("استرجاع مبلغ الدفعة", "Payment refunded")
    assert documents[digest(replaced)] == {"status": "superseded", "replacement": replacement.serial}
    today = timezone.localdate()
    assert documents[digest(changed)]["notes"]["en"] == [
        f"Partially refunded 30,000 IQD on {today.day} {today:%B} {today.year}."
    ]
    assert documents[digest(changed)]["notes"]["ar"][0].startswith("استُرجع جزئياً مبلغ 30,000 د.ع")

    text = json.dumps(body, ensure_ascii=False)
    for artifact in (valid, revoked, replaced, changed):
        assert artifact.token not in text and artifact.token.split(".")[1] not in text
        assert artifact.serial not in text


def test_an_issuer_without_a_kurdish_name_is_named_in_arabic_for_kurdish_readers(client):
    issue(EntityFactory(code="MOF", name_ar="وزارة المالية", name_en="Ministry of Finance"), "MOF-RC-2026-000001")
    assert status_list(client)["issuers"]["MOF"]["ckb"] == "وزارة المالية"


def test_an_entity_whose_only_key_is_revoked_is_not_an_issuer(client):
    from govportal.verification.services import key_revoke

    artifact = issue(EntityFactory(code="OLD"), "OLD-RC-2026-000001")
    assert "OLD" in status_list(client)["issuers"]
    key_revoke(kid=artifact.key.kid, reason="compromised")
    assert "OLD" not in status_list(client)["issuers"]
