"""The trust root, the trust list and the status lists, checked as an outside verifier would: with
jwcrypto (not the portal's code), the JWK Set and the lists alone, over HTTP."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from jwcrypto import jwk, jws

from govportal.audit.models import AuditEvent
from govportal.verification.constants import KeyStatus
from govportal.verification.models import TrustRootKey
from govportal.verification.services import (
    artifact_issue,
    artifact_note_add,
    artifact_revoke,
    artifact_supersede,
    key_revoke,
    key_rotate,
)
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db(transaction=True)


def issue(entity: Any, serial: str) -> Any:
    return artifact_issue(entity=entity, kind="receipt", serial=serial, content=serial.encode(), display=[])


def b64url_json(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def verified(token: str, keys: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of ``token`` once jwcrypto has checked its signature with the key of its
    ``kid`` among ``keys``; raises if there is none or the signature is wrong."""
    header = b64url_json(token.split(".")[0])
    (key,) = [key for key in keys if key["kid"] == header["kid"]]
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(jwk.JWK(**{name: key[name] for name in ("kty", "crv", "x", "y")}), alg="ES256")
    return header, json.loads(signed.payload)


def served_jwks(base: str) -> list[dict[str, Any]]:
    return httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]


def status_of(base: str, token: str) -> int:
    """The document's status as any verifier reads it: the token's ``status`` claim names a list
    and an index; the list, checked with the key the JWK Set publishes, holds ``bits`` per index,
    index 0 in the lowest bits of the first byte, DEFLATE-compressed (zlib) and base64url-encoded."""
    claim = b64url_json(token.split(".")[1])["status"]["status_list"]
    path = urlsplit(claim["uri"]).path  # the URI is on SITE_URL; the test's server is elsewhere
    assert path.startswith("/verify/status-lists/")
    answer = httpx.get(base + path)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/statuslist+jwt"
    header, claims = verified(answer.text, served_jwks(base))
    assert header["typ"] == "statuslist+jwt"
    assert claims["sub"] == claim["uri"] and claims["exp"] > claims["iat"]
    bits = claims["status_list"]["bits"]
    raw = zlib.decompress(base64.urlsafe_b64decode(claims["status_list"]["lst"] + "=="))
    per_byte = 8 // bits
    return (raw[claim["idx"] // per_byte] >> ((claim["idx"] % per_byte) * bits)) & ((1 << bits) - 1)


def test_each_document_has_its_own_index_in_a_list_named_in_its_token():
    fund = EntityFactory(code="IHF")
    first, second = issue(fund, "IHF-RC-1"), issue(fund, "IHF-RC-2")
    claims = [b64url_json(a.token.split(".")[1])["status"]["status_list"] for a in (first, second)]
    assert claims[0]["idx"] != claims[1]["idx"]
    assert claims[0]["uri"] == claims[1]["uri"]  # millions share a list: fetching it says nothing of which
    assert {first.status_index, second.status_index} == {claims[0]["idx"], claims[1]["idx"]}


def test_an_outside_verifier_reads_revoked_replaced_and_changed_from_the_list_alone(live_server):
    base = live_server.url
    fund = EntityFactory(code="IHF")
    valid, revoked, replaced, replacement, changed = (issue(fund, f"IHF-RC-{n}") for n in range(1, 6))
    assert status_of(base, revoked.token) == 0  # signed once now: every change below must show at once

    artifact_revoke(artifact=revoked, reason="Payment refunded")
    artifact_supersede(artifact=replaced, replacement=replacement)
    artifact_note_add(artifact=changed, text="Partially refunded %(amount)s IQD on %(date)s.", params={"amount": "1"})

    assert status_of(base, valid.token) == 0  # VALID
    assert status_of(base, revoked.token) == 1  # INVALID
    assert status_of(base, replaced.token) == 3  # application-specific: replaced
    assert status_of(base, replacement.token) == 0
    assert status_of(base, changed.token) == 0x0B  # application-specific: valid, changed since issue


def test_revoking_a_key_marks_everything_it_signed_and_leaves_the_trust_list(live_server):
    base = live_server.url
    ndc, mof = EntityFactory(code="NDC"), EntityFactory(code="MOF")
    signed, other = issue(ndc, "NDC-1"), issue(mof, "MOF-1")
    kid = signed.key.kid
    key_revoke(kid=kid, reason="leaked")
    assert status_of(base, signed.token) == 1
    assert status_of(base, other.token) == 0
    trust_list = trust_list_claims(base)
    listed = {key["kid"] for issuer in trust_list["issuers"] for key in issuer["keys"]}
    assert kid not in listed and other.key.kid in listed
    assert [entry["kid"] for entry in trust_list["revoked_keys"]] == [kid]


def trust_list_claims(base: str) -> dict[str, Any]:
    """The trust list, checked with the root keys the scanner page pins (not the JWK Set)."""
    page = httpx.get(f"{base}/verify/scan").text
    pins = json.loads(page.split('data-trust-roots="', 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    answer = httpx.get(f"{base}/verify/trust-list")
    assert answer.status_code == 200
    header, claims = verified(answer.text, pins)
    assert header["typ"] == "trustlist+jwt"
    return claims


def test_the_trust_list_names_issuers_and_their_keys_with_validity(live_server):
    base = live_server.url
    ndc = EntityFactory(code="NDC", name_ar="المركز الوطني للبيانات", name_en="National Data Centre", name_ckb="")
    old = issue(ndc, "NDC-1").key
    new = key_rotate(entity=ndc)
    claims = trust_list_claims(base)
    (issuer,) = [entry for entry in claims["issuers"] if entry["iss"] == "NDC"]
    assert issuer["name"]["en"] == "National Data Centre"
    keys = {key["kid"]: key for key in issuer["keys"]}
    assert keys[old.kid]["status"] == "retired" and keys[old.kid]["until"] is not None
    assert keys[new.kid]["status"] == "active" and keys[new.kid]["until"] is None
    assert keys[new.kid]["nbf"] <= claims["iat"] < claims["exp"]


def test_lists_are_cacheable_and_revalidated(client):
    issue(EntityFactory(code="IHF"), "IHF-RC-1")
    for path in ("/verify/status-lists/0", "/verify/trust-list"):
        first = client.get(path)
        assert first.status_code == 200
        assert first["Cache-Control"] == "public, max-age=300"
        assert first["Access-Control-Allow-Origin"] == "*"
        again = client.get(path, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again.content == b""
    assert client.get("/verify/status-lists/1").status_code == 404  # no document has an index there yet


def test_the_root_key_is_made_rotated_and_revoked_by_its_command(live_server, capsys):
    base = live_server.url
    call_command("trust_root", "create")
    first = TrustRootKey.objects.get()
    with translation.override("en"):  # the command's refusals are translated: read them in English
        with pytest.raises(CommandError, match="already an active root key"):
            call_command("trust_root", "create")
        with pytest.raises(CommandError, match="Rotate the root key before revoking"):
            call_command("trust_root", "revoke", "--kid", first.kid, "--reason", "test")
    artifact = issue(EntityFactory(code="IHF"), "IHF-RC-1")
    call_command("trust_root", "rotate")
    second = TrustRootKey.objects.get(status=KeyStatus.ACTIVE)
    header, _claims = verified(httpx.get(f"{base}/verify/trust-list").text, served_jwks(base))
    assert header["kid"] == second.kid  # the lists are signed by the new root at once
    pinned = {key["kid"] for key in json.loads(_pins_json(capsys))}
    assert pinned == {first.kid, second.kid}  # the retired root stays pinned until revoked
    call_command("trust_root", "revoke", "--kid", first.kid, "--reason", "left on a laptop")
    assert {key["kid"] for key in json.loads(_pins_json(capsys))} == {second.kid}
    assert first.kid not in {key["kid"] for key in served_jwks(base)}
    assert status_of(base, artifact.token) == 0
    first.refresh_from_db()
    assert first.private_key_encrypted and b"PRIVATE" not in bytes(first.private_key_encrypted)
    actions = list(
        AuditEvent.objects.filter(action__startswith="trust_root").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["trust_root_create", "trust_root_rotate", "trust_root_revoke"]


def _pins_json(capsys: Any) -> str:
    capsys.readouterr()
    call_command("trust_root", "show")
    return capsys.readouterr().out
