"""One trust anchor for every issuer, and revocations that a scanner can see without a connection.

**The trust root.** The General Secretariat holds a root key (``TrustRootKey``). It signs the *trust
list*: every issuing entity, its names, and its keys with the time each may sign from and until
(a retired key verifies what it signed before it retired). Offline scanners pin the root's public
key and trust an entity's key only through a list the root signed. Rotating or revoking an entity's
key changes the list (a new generation, so it is signed again at the next request).

**Status lists** (IETF draft-ietf-oauth-status-list, "Token Status List"). Every document signed
since the lists exist has an index, given when it is signed and named in its token:
``"status": {"status_list": {"idx": 1234, "uri": "<site>/verify/status-lists/0"}}``. The list at
that URI is a JWT (``typ: statuslist+jwt``) signed by the root key, whose ``status_list`` holds
``bits`` (4) and ``lst``: the statuses of ``VERIFY_STATUS_LIST_SIZE`` documents, ``bits`` each, the
first document in the lowest bits of the first byte, compressed with DEFLATE (zlib format) and
base64url-encoded. A scanner that holds the list learns the status of its document without saying
which one it is checking: it fetches the same list for millions of documents.

Status values: 0 valid; 1 invalid (revoked, or signed by a revoked key); 3 replaced by another
document; 11 (0x0B) still valid but changed since issue (the verify page says how). 3 and 0x0B are
in the ranges the draft leaves to applications.
"""

from __future__ import annotations

import datetime as dt
import threading
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.audit.services import audit_record
from govportal.entities.constants import EntityKind
from govportal.entities.models import Entity
from govportal.verification import crypto
from govportal.verification.constants import ArtifactStatus, KeyStatus
from govportal.verification.models import Artifact, SigningKey, TrustRootKey

BITS = 4
VALID, INVALID, REPLACED, CHANGED = 0, 1, 3, 0x0B
STATUS_LIST_TYP = "statuslist+jwt"
TRUST_LIST_TYP = "trustlist+jwt"
# How long a signed list is good for: a scanner offline for longer says its copy has expired.
LIST_LIFETIME = dt.timedelta(days=30)
# How long a client may keep a list before asking again (the draft's ``ttl``, and Cache-Control).
LIST_TTL = 300
SEQUENCE = "verification_status_index_seq"


def _generation() -> int:
    from govportal.verification.services import cache_generation  # the services import this module

    return cache_generation()


# --- the root key ---------------------------------------------------------------------------------


def root_issuer() -> str:
    """The ``iss`` of what the root signs: the General Secretariat's code."""
    code = Entity.objects.filter(kind=EntityKind.SECRETARIAT).order_by("pk").values_list("code", flat=True).first()
    return code or "SECRETARIAT"


def _root_new() -> TrustRootKey:
    return TrustRootKey.objects.create(**crypto.new_key_fields("root"))


@transaction.atomic
def root_create(*, actor: Any = None) -> TrustRootKey:
    """The first root key; refused when there is an active one (rotate it instead)."""
    if TrustRootKey.objects.select_for_update().filter(status=KeyStatus.ACTIVE).exists():
        raise ValidationError(_("There is already an active root key; rotate it instead."))
    key = _root_new()
    audit_record(action="trust_root_create", actor=actor, target=key, data={"kid": key.kid})
    _changed()
    return key


@transaction.atomic
def root_rotate(*, actor: Any = None) -> TrustRootKey:
    """A new active root key. The old one retires: still pinned by scanners (lists it signed still
    verify) until it is revoked, and no longer signs."""
    old = TrustRootKey.objects.select_for_update().filter(status=KeyStatus.ACTIVE).first()
    if old is not None:
        old.status, old.retired_at = KeyStatus.RETIRED, timezone.now()
        old.save(update_fields=["status", "retired_at"])
    key = _root_new()
    audit_record(
        action="trust_root_rotate", actor=actor, target=key, data={"kid": key.kid, "retired": old.kid if old else None}
    )
    _changed()
    return key


@transaction.atomic
def root_revoke(*, kid: str, reason: str, actor: Any = None) -> TrustRootKey:
    """A root key that leaked: no longer pinned, nothing it signed is trusted. Rotate first, so that
    there is an active root to sign the lists again."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for revoking the key."))
    try:
        key = TrustRootKey.objects.select_for_update().get(kid=kid)
    except TrustRootKey.DoesNotExist as error:
        raise ValidationError(_("There is no root key %(kid)s.") % {"kid": kid}) from error
    if key.status == KeyStatus.ACTIVE:
        raise ValidationError(_("Rotate the root key before revoking the active one."))
    if key.status != KeyStatus.REVOKED:
        key.status, key.revoked_at, key.revoked_reason = KeyStatus.REVOKED, timezone.now(), reason.strip()
        key.save(update_fields=["status", "revoked_at", "revoked_reason"])
        audit_record(action="trust_root_revoke", actor=actor, target=key, data={"kid": kid, "reason": reason})
        _changed()
    return key


def root_active() -> TrustRootKey:
    """The key that signs the lists. Development and tests make one on first use; production needs
    the ceremony (``manage.py trust_root create``) and says so."""
    key = TrustRootKey.objects.filter(status=KeyStatus.ACTIVE).first()
    if key is not None:
        return key
    if settings.PRODUCTION:
        raise ImproperlyConfigured("There is no trust root key: create it with `manage.py trust_root create`.")
    try:
        return root_create()
    except ValidationError:  # made meanwhile by another request
        return TrustRootKey.objects.get(status=KeyStatus.ACTIVE)


def root_pins() -> list[dict[str, Any]]:
    """The root public keys a scanner pins: the active one and the retired ones not revoked."""
    if not settings.PRODUCTION:
        root_active()  # development and tests: there is always one
    keys = TrustRootKey.objects.exclude(status=KeyStatus.REVOKED).order_by("-created_at")
    return [{**key.public_jwk, "kid": key.kid, "alg": key.algorithm, "use": "sig"} for key in keys]


def _root_sign(payload: dict[str, Any], *, typ: str) -> str:
    key = root_active()
    private_key = crypto.unwrap_private_key(key.private_key_encrypted, key.kid)
    return crypto.jws_sign(payload, kid=key.kid, private_key=private_key, typ=typ)


def _changed() -> None:
    from govportal.verification.services import invalidate_now_and_on_commit

    invalidate_now_and_on_commit()


# --- the trust list -------------------------------------------------------------------------------


def _moment(value: dt.datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def trust_list_payload(now: dt.datetime | None = None) -> dict[str, Any]:
    """Every issuing entity with its names and the keys that verify what it signed, and the revoked
    keys by id (a scanner refuses those even if it still holds an older list)."""
    now = now or timezone.now()
    keys = SigningKey.objects.select_related("entity").order_by("entity__code", "created_at")
    issuers: dict[str, dict[str, Any]] = {}
    revoked = []
    for key in keys:
        if key.status == KeyStatus.REVOKED:
            revoked.append({"kid": key.kid, "iss": key.entity.code, "revoked_at": _moment(key.revoked_at)})
            continue
        entity = key.entity
        issuer = issuers.setdefault(
            entity.code,
            {
                "iss": entity.code,
                "name": {"ar": entity.name_ar, "en": entity.name_en or entity.name_ar, "ckb": entity.name_ckb or ""},
                "keys": [],
            },
        )
        issuer["keys"].append(
            {
                **key.public_jwk,
                "kid": key.kid,
                "alg": key.algorithm,
                "status": key.status,
                "nbf": _moment(key.created_at),
                # a retired key signs nothing after it retired
                "until": _moment(key.retired_at),
            }
        )
    return {
        "iss": root_issuer(),
        "sub": absolute(reverse("verify_trust_list")),
        "iat": _moment(now),
        "exp": _moment(now + LIST_LIFETIME),
        "ttl": LIST_TTL,
        "issuers": list(issuers.values()),
        "revoked_keys": revoked,
    }


def trust_list_token() -> str:
    """The trust list signed by the root key, signed again only after a change."""
    root_active()  # first, as making one starts a new generation
    cache_key = f"verification:trust-list:{_generation()}"
    token = cache.get(cache_key)
    if token is None:
        token = _root_sign(trust_list_payload(), typ=TRUST_LIST_TYP)
        cache.set(cache_key, token, LIST_TTL)
    return str(token)


# --- status lists ---------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def list_uri(number: int) -> str:
    return absolute(reverse("verify_status_list_token", args=[number]))


def status_claim(index: int) -> dict[str, Any]:
    """The ``status`` claim of a token whose document has ``index``."""
    size = settings.VERIFY_STATUS_LIST_SIZE
    return {"status_list": {"idx": index % size, "uri": list_uri(index // size)}}


def status_indexes_allocate(count: int) -> list[int]:
    """``count`` new indexes, never given before. On PostgreSQL they come from a sequence, which
    no transaction waits on (an import of 170,000 documents does not hold up a receipt); an index
    lost to a rolled-back transaction simply stays valid and unused. SQLite (the embedded mode)
    writes one transaction at a time and the embedded mode runs one process, so it counts on from
    the highest index saved or handed out in this process."""
    if count <= 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)", [count])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]
    global _sqlite_next
    with _sqlite_lock:  # the embedded mode is one process: its threads take turns here
        top = Artifact.objects.aggregate(top=Max("status_index"))["top"]
        # Indexes handed out but not saved yet (a bulk signer's block) count as used too.
        start = max((top + 1) if top is not None else 0, _sqlite_next)
        _sqlite_next = start + count
    return list(range(start, start + count))


_sqlite_lock = threading.Lock()
_sqlite_next = 0


class IndexPool:
    """Indexes taken from the sequence a block at a time, for signing many documents."""

    def __init__(self, block: int = 1) -> None:
        self.block = block
        self._free: list[int] = []

    def take(self) -> int:
        if not self._free:
            self._free = status_indexes_allocate(self.block)[::-1]
        return self._free.pop()


def status_value(status: str, notes: list[Any], key_revoked: bool) -> int:
    if key_revoked or status == ArtifactStatus.REVOKED:
        return INVALID
    if status == ArtifactStatus.SUPERSEDED:
        return REPLACED
    return CHANGED if notes else VALID


def status_pack(size: int, statuses: Iterable[tuple[int, int]]) -> bytearray:
    """A list of ``size`` documents, ``BITS`` bits each, index 0 in the lowest bits of the first
    byte, from (index within the list, status) pairs; the rest are 0 (valid)."""
    bits = bytearray(size * BITS // 8)
    per_byte = 8 // BITS
    mask = (1 << BITS) - 1
    for offset, value in statuses:
        shift = (offset % per_byte) * BITS
        byte = offset // per_byte
        bits[byte] = (bits[byte] & ~(mask << shift) & 0xFF) | (value << shift)
    return bits


def _statuses(number: int) -> Iterator[tuple[int, int]]:
    """(index within the list, status) of the documents of list ``number`` that are not valid."""
    size = settings.VERIFY_STATUS_LIST_SIZE
    start = number * size
    in_list = Q(status_index__gte=start, status_index__lt=start + size)
    # The few documents that are not plainly valid (the partial index artifact_not_plainly_valid)...
    changed = Artifact.objects.filter(in_list).exclude(status=ArtifactStatus.VALID, notes=[]).order_by()
    for index, status, notes in changed.values_list("status_index", "status", "notes").iterator(chunk_size=5000):
        if index is not None:  # always, in a list's range
            yield index - start, status_value(status, notes, False)
    # ...then everything a revoked key signed, which overrides what came before.
    revoked_keys = SigningKey.objects.filter(status=KeyStatus.REVOKED).values("pk")
    signed = Artifact.objects.filter(in_list, key__in=revoked_keys).order_by().values_list("status_index", flat=True)
    for index in signed.iterator(chunk_size=5000):
        if index is not None:
            yield index - start, INVALID


def status_bits(number: int) -> bytearray:
    """The uncompressed list ``number``."""
    return status_pack(settings.VERIFY_STATUS_LIST_SIZE, _statuses(number))


def status_compress(bits: bytes) -> str:
    """``lst``: the list DEFLATE-compressed (zlib format, as the draft requires), base64url."""
    return crypto.b64url(zlib.compress(bits, 9))


def status_list_payload(number: int, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "iss": root_issuer(),
        "sub": list_uri(number),
        "iat": _moment(now),
        "exp": _moment(now + LIST_LIFETIME),
        "ttl": LIST_TTL,
        "status_list": {"bits": BITS, "lst": status_compress(bytes(status_bits(number)))},
    }


def status_lists_count() -> int:
    """How many lists there are: enough for every index given so far (at least one)."""
    highest = Artifact.objects.aggregate(top=Max("status_index"))["top"]
    return 1 if highest is None else highest // settings.VERIFY_STATUS_LIST_SIZE + 1


def status_list_token(number: int) -> str | None:
    """The status list ``number`` signed by the root key (None beyond the lists in use), signed
    again only after a revocation, replacement, note or key change."""
    if number < 0 or number >= status_lists_count():
        return None
    root_active()  # first, as making one starts a new generation
    cache_key = f"verification:status-list-token:{_generation()}:{number}"
    token = cache.get(cache_key)
    if token is None:
        token = _root_sign(status_list_payload(number), typ=STATUS_LIST_TYP)
        cache.set(cache_key, token, LIST_TTL)
    return str(token)


def status_read(lst: str, bits: int, index: int) -> int:
    """The status at ``index`` of a list's ``lst`` (for our own checks and the benchmarks)."""
    raw = zlib.decompress(crypto.b64url_decode(lst))
    per_byte = 8 // bits
    return (raw[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1)
