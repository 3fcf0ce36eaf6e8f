"""What a printed document's token tells an auditor offline, read with an independent JOSE library
(jwcrypto) and the portal's published JWK Set only: document kind, issuer, serial, date of issue,
the holder's name masked, the digest and where its status is listed. Nothing more."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from jwcrypto import jwk, jws

from tests.pdf.test_printables import KINDS as PRINTED

pytestmark = pytest.mark.django_db

BASE_CLAIMS = {"iss", "kind", "sn", "iat", "dig", "status"}


def holder_of(kind: str, document: Any) -> tuple[str, str] | None:
    """(the holder's full name, the label the verify page shows the masked name under), or None
    for a document with no personal holder."""
    if kind == "certificate":
        return document.holder_name, "Holder"
    if kind == "training_certificate":
        return document.enrollment.trainee.full_name, "Trainee"
    if kind == "statement":
        return document.loan.borrower_name, "Borrower"
    if kind == "receipt":
        return document.payment.payer.full_name, "Paid by"
    return None


# What each printed name becomes in the token: initials, the article "ال" skipped.
MASKED = {"أحمد كريم العبيدي": "أ. ك. ع.", "سارة محمود جاسم": "س. م. ج."}

# Every printed kind that carries a QR: all but a printed register, which is not signed.
KINDS: dict[str, Callable[[], Any]] = {
    kind: make for kind, (make, _model) in PRINTED.items() if kind != "register_export"
}


def decoded(token: str, client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """The token's header and payload, its signature checked with the served JWK Set alone."""
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = jwk.JWKSet.from_json(response.content)
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(keys)  # raises unless a key of the set, found by the token's kid, signed it
    return signed.jose_header, json.loads(signed.payload)


@pytest.mark.parametrize("kind", KINDS)
def test_the_token_says_what_matches_the_paper_and_nothing_more(kind: str, client: Client) -> None:
    document = KINDS[kind]()
    artifact = document.artifact
    header, payload = decoded(artifact.token, client)

    assert header["alg"] == "ES256" and header["kid"] == artifact.key.kid
    holder = holder_of(kind, document)
    assert set(payload) == (BASE_CLAIMS | {"hn"} if holder else BASE_CLAIMS)
    assert payload["iss"] == artifact.entity.code
    assert payload["kind"] == artifact.kind == kind
    assert payload["sn"] == artifact.serial
    assert payload["iat"] == int(artifact.issued_at.timestamp())

    status_list = payload["status"]["status_list"]
    assert set(payload["status"]) == {"status_list"} and set(status_list) == {"idx", "uri"}
    assert isinstance(status_list["idx"], int) and not isinstance(status_list["idx"], bool)
    assert status_list["uri"] == f"{settings.SITE_URL}/verify/status-lists/0"

    if holder is None:
        return
    full_name, label = holder
    # The same initials the verify page shows under the holder's label.
    shown = {row_label: value for row_label, value in artifact.display}
    assert payload["hn"] == shown[label]
    expected = MASKED.get(full_name, " ".join(f"{word[0]}." for word in full_name.split()))
    assert payload["hn"] == expected
    # Not the name itself, nor any of its words, anywhere in what the token carries.
    text = json.dumps(payload, ensure_ascii=False)
    assert full_name not in text
    assert [word for word in full_name.split() if len(word) > 1 and not word.isdigit() and word in text] == []
