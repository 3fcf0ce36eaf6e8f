"""POST /api/v1/verify: the public verify page's answer for machines, one document or a batch."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govportal.verification import crypto
from govportal.verification.models import Artifact
from govportal.verification.services import (
    Signer,
    artifact_issue,
    artifact_note_add,
    artifact_revoke,
    artifact_supersede,
    key_revoke,
)
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/verify"
ISSUED = dt.datetime(2026, 3, 4, 22, 30, tzinfo=dt.UTC)  # 5 March in Baghdad (UTC+3)


@pytest.fixture
def ndc():
    return EntityFactory(code="NDC", name_ar="مركز البيانات الوطني", name_en="National Data Centre", name_ckb="")


def issue(entity, serial="NDC-2026-000001", issued_at=ISSUED):
    return artifact_issue(
        entity=entity,
        kind="certificate",
        serial=serial,
        content=serial.encode(),
        display=[("Holder", "\u0623. \u0643. \u0639."), ("National ID number", "\u2022" * 8 + "5678")],
        issued_at=issued_at,
    )


@pytest.fixture
def call(client, api_client_of, bearer, ndc):
    """POST a body as a client with the scope verify (of another entity than the issuer)."""
    api_client, secret = api_client_of("verify")
    headers = bearer(api_client, secret)

    def post(body, language="en", **extra):
        return client.post(
            URL,
            body if isinstance(body, bytes) else json.dumps(body),
            content_type="application/json",
            headers={**headers, "Accept-Language": language, **extra},
        )

    return post


def tampered(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(crypto.b64url_decode(signature))
    raw[5] ^= 0xFF
    return f"{head}.{payload}.{crypto.b64url(bytes(raw))}"


def test_a_genuine_token_answers_genuine_with_kind_issuer_and_date(call, ndc):
    artifact = issue(ndc)
    body = call({"token": artifact.token}).json()
    assert body["status"] == "genuine"
    assert body["kind"] == "certificate"
    assert body["kind_name"] == "Certificate of authenticity of issuance"
    assert body["serial"] == "NDC-2026-000001"
    assert body["issuer"] == {"code": "NDC", "name": "National Data Centre"}
    assert body["issued_on"] == "2026-03-05"
    assert (body["revoked_on"], body["revocation_reason"], body["message"]) == (None, None, None)


def test_the_whole_url_any_host_http_or_https_is_read_like_the_token(call, ndc):
    artifact = issue(ndc)
    for url in (
        f"https://portal.gov.iq/v/{artifact.token}",
        f"http://10.0.0.5:8000/v/{artifact.token}",
        f" https://example.org/v/{artifact.token}/json ",
    ):
        assert call({"token": url}).json()["status"] == "genuine", url


def test_the_issuer_is_named_in_the_callers_language(call, ndc):
    artifact = issue(ndc)
    assert call({"token": artifact.token}, "ar").json()["issuer"]["name"] == "مركز البيانات الوطني"
    # No Kurdish name: the Arabic stands in, as on the public page.
    assert call({"token": artifact.token}, "ckb").json()["issuer"]["name"] == "مركز البيانات الوطني"


def test_a_revoked_document_answers_revoked_with_its_date_and_reason(call, ndc):
    artifact = issue(ndc)
    artifact_revoke(artifact=artifact, reason="صدر خطأً")
    body = call({"token": artifact.token}).json()
    assert body["status"] == "revoked"
    assert body["revoked_on"] == timezone.localdate().isoformat()
    assert body["revocation_reason"] == "صدر خطأً"
    assert body["issuer"]["code"] == "NDC"


def test_a_replaced_document_is_revoked_naming_its_replacement_as_the_page_does(call, ndc):
    old, new = issue(ndc, "NDC-2026-000001"), issue(ndc, "NDC-2026-000002")
    artifact_supersede(artifact=old, replacement=new)
    body = call({"token": old.token}).json()
    assert body["status"] == "revoked"
    assert body["replaced_by"] == "NDC-2026-000002"
    assert "NDC-2026-000002" in body["revocation_reason"]
    assert body["revoked_on"] is None


def test_a_changed_document_is_genuine_with_its_notes(call, ndc):
    artifact = issue(ndc)
    artifact_note_add(artifact=artifact, text="Partly refunded: %(amount)s IQD on %(date)s", params={"amount": "5,000"})
    body = call({"token": artifact.token}).json()
    assert (body["status"], body["changed"]) == ("genuine", True)
    assert "5,000" in body["notes"][0]


def test_a_tampered_signature_and_garbage_are_invalid(call, ndc):
    artifact = issue(ndc)
    nul_kid = crypto.b64url(b'{"alg":"ES256","kid":"\\u0000"}') + ".e30.AAAA"  # PostgreSQL refuses NUL
    for token in (tampered(artifact.token), "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "", "é.é.é", nul_kid):
        body = call({"token": token}).json()
        assert body["status"] == "invalid", token
        assert body["message"]
        assert (body["issuer"], body["serial"], body["kind"]) == (None, None, None)


def test_a_token_whose_key_was_revoked_is_invalid(call, ndc):
    artifact = issue(ndc)
    key_revoke(kid=artifact.key.kid, reason="compromised")
    assert call({"token": artifact.token}).json()["status"] == "invalid"
    assert call({"serial": artifact.serial, "date": "2026-03-05"}).json()["status"] == "invalid"


def test_a_good_signature_of_an_unregistered_document_is_not_found(call, ndc):
    unsaved = Signer(ndc).artifact(
        kind="certificate", serial="NDC-2026-777777", issued_at=ISSUED, content=b"never saved", display=[]
    )
    body = call({"token": unsaved.token}).json()
    assert body["status"] == "not_found"
    assert body["message"] == "No such document is registered."


def test_serial_and_date_as_printed_answer_like_the_lookup_page(call, ndc):
    artifact = issue(ndc)
    assert call({"serial": "ndc-2026-000001", "date": "2026-03-05"}).json()["status"] == "genuine"
    wrong_day = call({"serial": artifact.serial, "date": "2026-03-04"}).json()
    assert wrong_day["status"] == "not_found"
    assert wrong_day["message"] == "No document matches these details"
    assert call({"serial": "NDC-0000", "date": "2026-03-05"}).json()["status"] == "not_found"
    assert call({"serial": "NDC\x00", "date": "2026-03-05"}).json()["status"] == "not_found"  # not a 500


def test_a_batch_keeps_the_order_echoes_each_item_and_mixes_statuses(call, ndc):
    good, revoked = issue(ndc, "NDC-2026-000001"), issue(ndc, "NDC-2026-000002")
    artifact_revoke(artifact=revoked, reason="Issued in error")
    items = [
        {"token": revoked.token},
        {"token": "garbage"},
        {"serial": good.serial, "date": "2026-03-05"},
        {"token": f"https://portal.gov.iq/v/{good.token}"},
        {"serial": "NDC-2026-999999", "date": "2026-03-05"},
    ]
    response = call({"items": items})
    assert response.status_code == 200
    answers = response.json()["items"]
    assert [a["index"] for a in answers] == [0, 1, 2, 3, 4]
    assert [a["status"] for a in answers] == ["revoked", "invalid", "genuine", "genuine", "not_found"]
    assert answers[0]["revocation_reason"] == "Issued in error"
    assert answers[2]["input"] == {"serial": good.serial, "date": "2026-03-05"}
    assert answers[3]["input"]["token"] == items[3]["token"]


def test_a_batch_of_a_thousand_tokens_costs_a_constant_number_of_queries(call, ndc):
    signer = Signer(ndc)
    artifacts = [
        signer.artifact(
            kind="certificate", serial=f"NDC-2026-{n:06d}", issued_at=ISSUED, content=str(n).encode(), display=[]
        )
        for n in range(1000)
    ]
    Artifact.objects.bulk_create(artifacts)
    call({"items": [{"token": "garbage"}]})  # the client's first call warms what every call shares
    with CaptureQueriesContext(connection) as few:
        call({"items": [{"token": a.token} for a in artifacts[:10]]})
    with CaptureQueriesContext(connection) as many:
        response = call({"items": [{"token": a.token} for a in artifacts]})
    assert {a["status"] for a in response.json()["items"]} == {"genuine"}
    assert len(many.captured_queries) == len(few.captured_queries)


def test_more_than_a_thousand_items_are_refused_with_their_own_code(call):
    response = call({"items": [{"token": "x"}] * 1001})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_items"
    assert "1,000" in error["message"]


def test_a_body_that_is_neither_form_is_refused_as_invalid(call):
    for body in (
        {},
        {"serial": "NDC-1"},
        {"token": "x", "serial": "y", "date": "2026-01-01"},
        {"items": [{}]},
        {"items": [{"token": "x"}], "token": "x"},
        {"serial": "NDC-1", "date": "5 March 2026"},
        {"serial": "NDC-1", "date": 0},
        {"items": [{"serial": "", "date": 1772668800}]},
        [],
    ):
        response = call(body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"


def test_a_body_that_is_not_json_is_refused_in_the_apis_own_shape(call):
    response = call(b"\x00{")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_the_scope_verify_is_required(client, api_client_of, bearer, ndc):
    artifact = issue(ndc)
    api_client, secret = api_client_of("bills:read")
    response = client.post(
        URL, json.dumps({"token": artifact.token}), content_type="application/json", headers=bearer(api_client, secret)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert client.post(URL, json.dumps({"token": artifact.token}), content_type="application/json").status_code == 401


def test_it_shows_no_more_than_the_public_pages_json(call, client, ndc):
    """Every value the API gives is one the public page's JSON gives (dates as days), and the
    masked details rows the page shows are not given at all."""
    artifact = issue(ndc)
    artifact_revoke(artifact=artifact, reason="Issued in error")
    api = call({"token": artifact.token}).json()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages follow the language switch
    page = client.get(f"/v/{artifact.token}/json").json()
    html = client.get(artifact.path).content.decode()
    for key in ("serial", "revocation_reason", "kind_name"):
        assert api[key] in json.dumps(page, ensure_ascii=False) or api[key] in html, key
    assert api["issuer"] == {"code": page["issuer_code"], "name": page["issuer"]}
    assert api["revoked_on"] == timezone.localdate(dt.datetime.fromisoformat(page["revoked_at"])).isoformat()
    assert "5678" not in json.dumps(api) and "Holder" not in json.dumps(api)
    assert set(api) == {
        "status", "message", "kind", "kind_name", "serial", "issuer", "issued_on", "revoked_on",
        "revocation_reason", "replaced_by", "changed", "notes",
    }  # fmt: skip


def test_the_openapi_document_declares_every_answer(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/verify"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "429"}
