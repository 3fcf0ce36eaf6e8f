"""The provider's ES256 signing keys: made on first use, rotated by age or on demand, published as a
JWK Set that keeps the previous key so tokens signed just before a rotation still verify."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from joserfc.jwk import ECKey, KeySet

from sandbox_idp.models import SigningKey

ALGORITHM = "ES256"
PUBLISHED_GENERATIONS = 2  # the current key and the one before it


def signing_key_rotate() -> SigningKey:
    """Make a new key the current one. Two callers rotating at the same moment both end up with the
    one key that won the unique generation number, so the JWKS never skips a key in use."""
    newest = SigningKey.objects.aggregate(newest=Max("generation"))["newest"] or 0
    key = ECKey.generate_key("P-256", private=True)
    kid = key.thumbprint()  # RFC 7638: stable, derived from the public key
    try:
        with transaction.atomic():
            return SigningKey.objects.create(
                generation=newest + 1,
                kid=kid,
                private_jwk=key.as_dict(private=True, kid=kid, use="sig", alg=ALGORITHM),
            )
    except IntegrityError:
        return SigningKey.objects.order_by("-generation")[0]


def signing_key_current() -> SigningKey:
    """The key to sign with now, rotating first when the newest is older than IDENTITY_SANDBOX_KEY_DAYS."""
    newest = SigningKey.objects.order_by("-generation").first()
    max_age = dt.timedelta(days=settings.IDENTITY_SANDBOX_KEY_DAYS)
    if newest is None or timezone.now() - newest.created_at >= max_age:
        return signing_key_rotate()
    return newest


def private_key(signing_key: SigningKey) -> ECKey:
    return ECKey.import_key(signing_key.private_jwk)


def jwks_public() -> dict[str, Any]:
    """The published JWK Set: public halves of the current and previous keys."""
    keys = SigningKey.objects.order_by("-generation")[:PUBLISHED_GENERATIONS]
    return {"keys": [private_key(key).as_dict(private=False) for key in keys]}


def keyset_all() -> KeySet:
    """Every key the provider ever signed with, to recognise its own ID tokens (logout hints)."""
    return KeySet([private_key(key) for key in SigningKey.objects.all()])
