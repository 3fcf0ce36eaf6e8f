"""ES256 compact JWS (RFC 7515) and private keys wrapped under the key-encryption key.

Written against ``cryptography`` only, so that what we sign is plain standard JOSE:
any JOSE library verifies our tokens with the public JWK Set alone.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from govportal.env import env_secret
from govportal.verification.constants import ALGORITHM

_COORD = 32  # P-256 coordinates and signature halves are 32 bytes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sha256_b64url(content: bytes) -> str:
    return b64url(hashlib.sha256(content).digest())


# --- key-encryption key ----------------------------------------------------------------------


def key_encryption_key() -> bytes:
    """The 32-byte KEK from SIGNING_KEK (base64). Development derives one from the secret key."""
    raw = env_secret("SIGNING_KEK")
    if raw:
        try:
            kek = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except ValueError as exc:
            raise ImproperlyConfigured("SIGNING_KEK must be 32 random bytes, base64-encoded.") from exc
        if len(kek) != 32:
            raise ImproperlyConfigured("SIGNING_KEK must be 32 random bytes, base64-encoded.")
        return kek
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "SIGNING_KEK is not set: signing keys cannot be created or used. "
            'Generate one with: python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
        )
    return hashlib.sha256(b"govportal-development-kek:" + settings.SECRET_KEY.encode()).digest()


def seal(plaintext: bytes, *, context: str) -> bytes:
    """``plaintext`` encrypted under the KEK (AES-256-GCM) and bound to ``context`` (a key's id, a
    client's id), so a sealed value moved to another row does not open: nonce + ciphertext."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key_encryption_key()).encrypt(nonce, plaintext, context.encode())


def unseal(blob: bytes | memoryview, *, context: str) -> bytes:
    """What ``seal`` sealed; ``InvalidTag`` when the KEK or the context is not the one it was sealed with."""
    blob = bytes(blob)
    return AESGCM(key_encryption_key()).decrypt(blob[:12], blob[12:], context.encode())


def wrap_private_key(private_key: ec.EllipticCurvePrivateKey, kid: str) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return seal(der, context=kid)


def unwrap_private_key(blob: bytes | memoryview, kid: str) -> ec.EllipticCurvePrivateKey:
    try:
        der = unseal(blob, context=kid)
    except InvalidTag as exc:
        raise ImproperlyConfigured(
            f"Signing key {kid} cannot be decrypted: SIGNING_KEK is not the one it was made with."
        ) from exc
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)  # noqa: S101 — we only ever store P-256 keys
    return key


# --- keys and tokens ---------------------------------------------------------------------------


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def new_key_fields(prefix: str) -> dict[str, Any]:
    """A new key as its record stores it (``KeyRecord``): ``<prefix>-<date>-<random>`` as its id,
    its public JWK, and its private half sealed under the KEK and bound to that id."""
    private_key = generate_key()
    kid = f"{prefix}-{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(4)}"
    return {
        "kid": kid,
        "public_jwk": public_jwk(private_key),
        "private_key_encrypted": wrap_private_key(private_key, kid),
    }


def public_jwk(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private_key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(_COORD, "big")),
        "y": b64url(numbers.y.to_bytes(_COORD, "big")),
    }


def public_key_from_jwk(jwk: dict[str, str]) -> ec.EllipticCurvePublicKey:
    x = int.from_bytes(b64url_decode(jwk["x"]), "big")
    y = int.from_bytes(b64url_decode(jwk["y"]), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def jws_sign(
    payload: dict[str, Any], *, kid: str, private_key: ec.EllipticCurvePrivateKey, typ: str | None = None
) -> str:
    header = {"alg": ALGORITHM, "kid": kid} if typ is None else {"alg": ALGORITHM, "kid": kid, "typ": typ}
    signing_input = f"{b64url(_json(header))}.{b64url(_json(payload))}"
    der = private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{b64url(r.to_bytes(_COORD, 'big') + s.to_bytes(_COORD, 'big'))}"


class MalformedToken(ValueError):
    pass


@dataclass(frozen=True)
class ParsedToken:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str:
        return str(self.header.get("kid", ""))


def jws_parse(token: str) -> ParsedToken:
    """Split and decode a compact JWS without trusting it yet."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 4096:
        raise MalformedToken("not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedToken("undecodable part") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedToken("header or payload is not an object")
    if header.get("alg") != ALGORITHM or not header.get("kid"):
        raise MalformedToken("unsupported algorithm or missing kid")
    return ParsedToken(header, payload, f"{parts[0]}.{parts[1]}".encode(), signature)


def jws_signature_valid(parsed: ParsedToken, public_key: ec.EllipticCurvePublicKey) -> bool:
    if len(parsed.signature) != 2 * _COORD:
        return False
    r = int.from_bytes(parsed.signature[:_COORD], "big")
    s = int.from_bytes(parsed.signature[_COORD:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), parsed.signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
