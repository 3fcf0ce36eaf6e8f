"""Tokens are standard ES256 JWS: an independent JOSE library verifies them with the JWK Set alone."""

import json

import jwt
import pytest
from django.core.management import call_command

from govportal.audit.models import AuditEvent
from govportal.verification import crypto
from govportal.verification.models import SigningKey
from govportal.verification.services import (
    REASON_BAD_SIGNATURE,
    REASON_KEY_REVOKED,
    REASON_MALFORMED,
    REASON_UNKNOWN_KEY,
    REASON_WRONG_ISSUER,
    active_key,
    artifact_issue,
    key_revoke,
    key_rotate,
    token_verify,
)
from tests.factories import EntityFactory


def issue(entity, serial="NDC-2026-000001"):
    return artifact_issue(
        entity=entity, kind="certificate", serial=serial, content=b"facts", display=[("Holder", "\u0623. \u0643.")]
    )


def tamper(token: str, part: int) -> str:
    pieces = token.split(".")
    if part == 1:
        payload = json.loads(crypto.b64url_decode(pieces[1]))
        payload["sn"] = "NDC-2026-999999"
        pieces[1] = crypto.b64url(json.dumps(payload, separators=(",", ":")).encode())
    else:
        signature = bytearray(crypto.b64url_decode(pieces[2]))
        signature[10] ^= 0x01
        pieces[2] = crypto.b64url(bytes(signature))
    return ".".join(pieces)


@pytest.mark.django_db(transaction=True)
def test_an_independent_jose_library_verifies_with_the_served_jwks_alone(live_server):
    artifact = issue(EntityFactory(code="NDC"))
    client = jwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json", cache_keys=False)
    signing_key = client.get_signing_key_from_jwt(artifact.token)
    claims = jwt.decode(artifact.token, signing_key.key, algorithms=["ES256"])
    assert claims["iss"] == "NDC"
    assert claims["sn"] == "NDC-2026-000001"
    assert claims["kind"] == "certificate"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tamper(artifact.token, 1), signing_key.key, algorithms=["ES256"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tamper(artifact.token, 2), signing_key.key, algorithms=["ES256"])


@pytest.mark.django_db(transaction=True)
def test_a_revoked_key_leaves_the_jwks_so_no_library_accepts_it(live_server):
    artifact = issue(EntityFactory(code="NDC"))
    key_revoke(kid=artifact.key.kid, reason="compromised")
    client = jwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json", cache_keys=False)
    with pytest.raises((jwt.PyJWKClientError, jwt.PyJWKSetError)):
        client.get_signing_key_from_jwt(artifact.token)


@pytest.mark.django_db
def test_genuine_token_verifies():
    artifact = issue(EntityFactory())
    result = token_verify(artifact.token)
    assert result.genuine
    assert result.status == "valid"
    assert result.details["serial"] == artifact.serial


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: tamper(t, 1), REASON_BAD_SIGNATURE),
        (lambda t: tamper(t, 2), REASON_BAD_SIGNATURE),
        (lambda t: t.replace(t.split(".")[0], crypto.b64url(b'{"alg":"ES256","kid":"nobody"}')), REASON_UNKNOWN_KEY),
        (lambda t: "not-a-token", REASON_MALFORMED),
        (lambda t: t.split(".")[0] + ".%%%." + t.split(".")[2], REASON_MALFORMED),
    ],
)
def test_bad_tokens_are_not_genuine(mangle, reason):
    artifact = issue(EntityFactory())
    result = token_verify(mangle(artifact.token))
    assert not result.genuine
    assert result.reason == reason


@pytest.mark.django_db
def test_a_token_signed_with_another_entitys_key_is_not_genuine():
    ministry, datacentre = EntityFactory(code="MOF"), EntityFactory(code="NDC")
    issue(datacentre)
    key = active_key(ministry)
    forged = crypto.jws_sign(
        {"iss": "NDC", "kind": "certificate", "sn": "NDC-2026-000001", "iat": 1, "dig": "x"},
        kid=key.kid,
        private_key=crypto.unwrap_private_key(key.private_key_encrypted, key.kid),
    )
    result = token_verify(forged)
    assert not result.genuine
    assert result.reason == REASON_WRONG_ISSUER


@pytest.mark.django_db
def test_rotation_keeps_old_signatures_valid_and_signs_new_ones_with_the_new_key():
    entity = EntityFactory()
    old = issue(entity, "X-2026-000001")
    new_key = key_rotate(entity=entity)
    new = issue(entity, "X-2026-000002")
    assert new.key == new_key
    assert token_verify(old.token).genuine
    assert token_verify(new.token).genuine
    assert SigningKey.objects.get(kid=old.key.kid).status == "retired"


@pytest.mark.django_db
def test_revoking_a_key_makes_everything_it_signed_fail_at_once():
    artifact = issue(EntityFactory())
    assert token_verify(artifact.token).genuine  # now cached
    key_revoke(kid=artifact.key.kid, reason="compromised")
    result = token_verify(artifact.token)
    assert not result.genuine
    assert result.reason == REASON_KEY_REVOKED


@pytest.mark.django_db
def test_private_keys_are_stored_encrypted():
    key = active_key(EntityFactory())
    private = crypto.unwrap_private_key(key.private_key_encrypted, key.kid)
    from cryptography.hazmat.primitives import serialization

    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert der not in bytes(key.private_key_encrypted)
    assert der[-32:] not in bytes(key.private_key_encrypted)


@pytest.mark.django_db
def test_a_wrong_kek_cannot_open_the_keys(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    key = active_key(EntityFactory())
    monkeypatch.setenv("SIGNING_KEK", crypto.b64url(b"k" * 32))
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEK"):
        crypto.unwrap_private_key(key.private_key_encrypted, key.kid)


@pytest.mark.django_db
def test_key_commands_create_rotate_and_revoke_with_audit(capsys):
    EntityFactory(code="NDC")
    call_command("signing_key", "create", "--entity", "NDC")
    call_command("signing_key", "rotate", "--entity", "NDC")
    kid = SigningKey.objects.get(entity__code="NDC", status="active").kid
    call_command("signing_key", "revoke", "--kid", kid, "--reason", "laptop stolen")
    assert SigningKey.objects.get(kid=kid).status == "revoked"
    actions = list(AuditEvent.objects.filter(action__startswith="key_").values_list("action", flat=True))
    assert sorted(actions) == ["key_create", "key_revoke", "key_rotate"]
