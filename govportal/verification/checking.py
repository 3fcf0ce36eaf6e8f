"""Verifying many documents at once: the API's batches and the auditors' CSV files.

Each answer is what the public verify page says about the same document, in four words a program
can branch on: ``genuine`` (green panel), ``revoked`` (red panel, the signature good but the
document no longer valid: revoked, or replaced by a newer one), ``not_found`` (a good signature, or
a serial and date typed by hand, that match nothing in the register) and ``invalid`` (the red "not
genuine" panel: a damaged code, a signature that does not match, an unknown or revoked key).

A whole batch costs a constant number of queries: one for the keys its tokens name, one for the
artifacts (by serial, through ``Artifact``'s serial index), whatever its length. Signatures are
checked with public keys built once per key and kept by the process.

Nothing here reads more than the public page shows: the issuer, the kind, the serial, the dates,
the revocation's reason and the notes of a changed document; never the masked details rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.redis import redis_client
from govportal.verification import crypto, hotpath
from govportal.verification.constants import ArtifactKind, ArtifactStatus, KeyStatus
from govportal.verification.display import in_language
from govportal.verification.models import Artifact, SigningKey
from govportal.verification.services import (
    REASON_BAD_SIGNATURE,
    REASON_KEY_REVOKED,
    REASON_MALFORMED,
    REASON_NOT_REGISTERED,
    REASON_UNKNOWN_KEY,
    REASON_WRONG_ISSUER,
    note_text,
    reason_text,
)

GENUINE, REVOKED, NOT_FOUND, INVALID = "genuine", "revoked", "not_found", "invalid"
STATUSES = (GENUINE, REVOKED, NOT_FOUND, INVALID)
MAX_BATCH = 1000
SERIAL_MAX = 64  # Artifact.serial's length: a longer one matches nothing
DAY_WRITTEN = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date of issue as the API and the files take it

# The lookup page's words when a serial and date match nothing (not a forgery: a typing slip).
REASON_NO_MATCH = gettext_noop("No document matches these details")
REPLACED_BY = gettext_noop("A newer document replaces this one:")


@dataclass(frozen=True)
class Check:
    """One document's answer. ``reason`` is a msgid (translated when shown); ``artifact`` is set
    for ``genuine`` and ``revoked``."""

    status: str
    reason: str = ""
    artifact: Found | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """What an answer needs of a register entry: read as plain rows, for a thousand rows
    cost a thousand tuples rather than three thousand model instances."""

    pk: Any
    entity_id: int
    kind: str
    serial: str
    digest: str
    token: str
    issued_at: dt.datetime
    status: str
    revoked_at: dt.datetime | None
    revoked_reason: str
    notes: list[dict[str, Any]]
    entity_code: str
    entity_ar: str
    entity_en: str
    entity_ckb: str
    replacement: str | None
    key_status: str


_FOUND_COLUMNS = (
    "pk",
    "entity_id",
    "kind",
    "serial",
    "digest",
    "token",
    "issued_at",
    "status",
    "revoked_at",
    "revoked_reason",
    "notes",
    "entity__code",
    "entity__name_ar",
    "entity__name_en",
    "entity__name_ckb",
    "superseded_by__serial",
    "key__status",
)


def token_from(text: str) -> str:
    """The token in what a QR code holds: the part after ``/v/`` of a verify URL (any scheme or
    host; a trailing ``/json``, query or fragment dropped), or the token itself."""
    text = text.strip()
    if "/v/" in text:
        text = text.rsplit("/v/", 1)[1].split("?", 1)[0].split("#", 1)[0]
        text = text.removesuffix("/json").rstrip("/")
    return text


@lru_cache(maxsize=256)
def _public_key(kid: str, x: str, y: str) -> ec.EllipticCurvePublicKey:
    """A key's public half, built once per process (its JWK never changes: a new key has a new kid)."""
    return crypto.public_key_from_jwk({"x": x, "y": y})


def _searchable(serial: str) -> bool:
    """Whether a serial could be in the register at all (PostgreSQL refuses a NUL in any text)."""
    return 0 < len(serial) <= SERIAL_MAX and "\x00" not in serial


def _artifact_status(artifact: Found) -> Check:
    return Check(GENUINE if artifact.status == ArtifactStatus.VALID else REVOKED, artifact=artifact)


def _found(**lookups: Any) -> Iterator[Found]:
    """Register entries matching ``lookups``, newest first, in one query."""
    rows = Artifact.objects.filter(**lookups).order_by("-issued_at").values_list(*_FOUND_COLUMNS)
    return (Found(*row) for row in rows)


def tokens_check(tokens: Sequence[str]) -> list[Check]:
    """Each token's answer, in order, in two queries for the whole batch (none for garbage)."""
    parsed: list[crypto.ParsedToken | None] = []
    for token in tokens:
        try:
            parsed.append(crypto.jws_parse(token_from(token)))
        except crypto.MalformedToken:
            parsed.append(None)
    kids = {item.kid for item in parsed if item is not None and "\x00" not in item.kid}
    keys = {key.kid: key for key in SigningKey.objects.select_related("entity").filter(kid__in=kids)} if kids else {}
    checks: list[Check | None] = [None] * len(tokens)
    wanted: dict[int, tuple[int, str, str, str]] = {}
    for index, item in enumerate(parsed):
        if item is None:
            checks[index] = Check(INVALID, REASON_MALFORMED)
            continue
        key = keys.get(item.kid)
        if key is None:
            checks[index] = Check(INVALID, REASON_UNKNOWN_KEY)
        elif not crypto.jws_signature_valid(item, _public_key(key.kid, key.public_jwk["x"], key.public_jwk["y"])):
            checks[index] = Check(INVALID, REASON_BAD_SIGNATURE)
        elif key.status == KeyStatus.REVOKED:
            checks[index] = Check(INVALID, REASON_KEY_REVOKED)
        elif item.payload.get("iss") != key.entity.code:
            checks[index] = Check(INVALID, REASON_WRONG_ISSUER)
        else:
            payload = item.payload
            wanted[index] = (key.entity_id, str(payload.get("kind")), str(payload.get("sn")), str(payload.get("dig")))
    found: dict[tuple[int, str, str], Found] = {}
    serials = {serial for _entity, _kind, serial, _dig in wanted.values() if _searchable(serial)}
    if serials:
        entities = {entity for entity, *_rest in wanted.values()}
        for row in _found(serial__in=serials, entity_id__in=entities):
            found[(row.entity_id, row.kind, row.serial)] = row
    for index, (entity, kind, serial, digest) in wanted.items():
        match = found.get((entity, kind, serial))
        if match is None or crypto.b64url(bytes.fromhex(match.digest)) != digest:
            checks[index] = Check(NOT_FOUND, REASON_NOT_REGISTERED)
        else:
            checks[index] = _artifact_status(match)
    return [check for check in checks if check is not None]


def papers_check(papers: Sequence[tuple[str, dt.date]]) -> list[Check]:
    """Each (serial, date of issue) as printed, in order, in one query: the lookup page's rules
    (the serial in any case, the day in Baghdad time, the newest of the day's matches). Nothing
    matching is ``not_found``, whether the serial exists with another date or not at all."""
    wanted = [(serial.strip(), day) for serial, day in papers]
    variants = {
        form for serial, _day in wanted if _searchable(serial) for form in (serial, serial.upper(), serial.lower())
    }
    found: dict[tuple[str, dt.date], Found] = {}
    if variants:
        days = {day for _serial, day in wanted}
        for row in _found(serial__in=variants):
            day = timezone.localdate(row.issued_at)
            if day in days:
                found.setdefault((row.serial.casefold(), day), row)
    checks = []
    for serial, day in wanted:
        match = found.get((serial.casefold(), day))
        if match is None:
            checks.append(Check(NOT_FOUND, REASON_NO_MATCH))
        elif match.key_status == KeyStatus.REVOKED:
            checks.append(Check(INVALID, REASON_KEY_REVOKED))
        else:
            checks.append(_artifact_status(match))
    return checks


def checks_count(checks: Sequence[Check]) -> None:
    """Count each document found as verified once, as the public page does: in Redis, flushed to
    the register every minute with the page's own scans (one round trip), or in one update."""
    artifacts = {check.artifact.pk: check.artifact for check in checks if check.artifact is not None}
    if not artifacts:
        return
    if redis_client() is not None:
        hotpath.count_many({hotpath.token_digest(a.token): str(pk) for pk, a in artifacts.items()})
        return
    Artifact.objects.filter(pk__in=list(artifacts)).update(
        verify_count=F("verify_count") + 1, last_verified_at=timezone.now()
    )


def check_facts(check: Check) -> dict[str, Any]:
    """An answer as data in the active language: what the public page shows about it, no more."""
    artifact = check.artifact
    facts: dict[str, Any] = {
        "status": check.status,
        "message": _(check.reason) if check.reason else None,
        "kind": None,
        "kind_name": None,
        "serial": None,
        "issuer": None,
        "issued_on": None,
        "revoked_on": None,
        "revocation_reason": None,
        "replaced_by": None,
        "changed": False,
        "notes": [],
    }
    if artifact is None:
        return facts
    facts.update(
        kind=artifact.kind,
        kind_name=str(ArtifactKind(artifact.kind).label) if artifact.kind in ArtifactKind.values else None,
        serial=artifact.serial,
        issuer={
            "code": artifact.entity_code,
            "name": in_language({"ar": artifact.entity_ar, "en": artifact.entity_en, "ckb": artifact.entity_ckb}),
        },
        issued_on=timezone.localdate(artifact.issued_at),
    )
    if artifact.status == ArtifactStatus.REVOKED:
        facts["revoked_on"] = timezone.localdate(artifact.revoked_at) if artifact.revoked_at else None
        facts["revocation_reason"] = reason_text(artifact.revoked_reason) or None
    elif artifact.status == ArtifactStatus.SUPERSEDED:
        facts["replaced_by"] = artifact.replacement
        facts["revocation_reason"] = f"{_(REPLACED_BY)} {artifact.replacement or ''}".strip()
    elif artifact.notes:
        facts["changed"] = True
        facts["notes"] = [note_text(note) for note in artifact.notes]
    return facts
