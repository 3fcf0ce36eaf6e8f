"""Signing keys, issuing verifiable artifacts, and checking tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.verification import crypto, hotpath, trust
from govportal.verification.constants import ArtifactStatus, KeyStatus
from govportal.verification.display import Value
from govportal.verification.models import Artifact, SigningKey

# Bumped on every revocation or key change: every cached verification result is then stale.
GENERATION_KEY = "verification:generation"
_RESULT_TTL = 300


def cache_generation() -> int:
    """Changes whenever a key or a document is revoked: part of every verification cache key.

    When the cache has lost it (a restart, an eviction), it starts again from the clock, never from
    a number used before: processes keep keys by generation (``_key``), and an old number coming
    back would bring back what they kept under it."""
    return int(cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None) or 0)


def _invalidate() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def invalidate_now_and_on_commit() -> None:
    """Now, so this process never serves the old answer; after commit, so that an answer
    cached by another request in between (still seeing the old row) is dropped too."""
    _invalidate()
    transaction.on_commit(_invalidate)


# --- keys ----------------------------------------------------------------------------------


def _new_key(entity: Entity) -> SigningKey:
    return SigningKey.objects.create(entity=entity, status=KeyStatus.ACTIVE, **crypto.new_key_fields(entity.code))


@transaction.atomic
def key_create(*, entity: Entity, actor: Any = None, request: HttpRequest | None = None) -> SigningKey:
    """Give ``entity`` its first signing key (refused when it already has an active one)."""
    Entity.objects.select_for_update().get(pk=entity.pk)
    if SigningKey.objects.filter(entity=entity, status=KeyStatus.ACTIVE).exists():
        raise ValidationError(
            _("%(entity)s already has an active signing key; rotate it instead.") % {"entity": entity}
        )
    key = _new_key(entity)
    audit_record(action="key_create", actor=actor, entity=entity, target=key, data={"kid": key.kid}, request=request)
    _invalidate()
    return key


@transaction.atomic
def key_rotate(*, entity: Entity, actor: Any = None, request: HttpRequest | None = None) -> SigningKey:
    """Make a new key active; the old one retires but stays published, so what it signed still verifies."""
    Entity.objects.select_for_update().get(pk=entity.pk)
    old = SigningKey.objects.filter(entity=entity, status=KeyStatus.ACTIVE).first()
    if old is not None:
        old.status, old.retired_at = KeyStatus.RETIRED, timezone.now()
        old.save(update_fields=["status", "retired_at"])
    key = _new_key(entity)
    audit_record(
        action="key_rotate",
        actor=actor,
        entity=entity,
        target=key,
        data={"kid": key.kid, "retired": old.kid if old else None},
        request=request,
    )
    _invalidate()
    return key


@transaction.atomic
def key_revoke(*, kid: str, reason: str, actor: Any = None, request: HttpRequest | None = None) -> SigningKey:
    """Compromise: the key leaves the JWK Set and everything it signed stops verifying."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for revoking the key."))
    try:
        key = SigningKey.objects.select_for_update().get(kid=kid)
    except SigningKey.DoesNotExist as exc:
        raise ValidationError(_("There is no signing key %(kid)s.") % {"kid": kid}) from exc
    if key.status != KeyStatus.REVOKED:
        key.status, key.revoked_at, key.revoked_reason = KeyStatus.REVOKED, timezone.now(), reason.strip()
        key.save(update_fields=["status", "revoked_at", "revoked_reason"])
        audit_record(
            action="key_revoke", actor=actor, entity=key.entity, target=key, data={"reason": reason}, request=request
        )
        invalidate_now_and_on_commit()
    return key


def active_key(entity: Entity) -> SigningKey:
    """The entity's active key, made on first use (audited) so that issuing never stalls."""
    key = SigningKey.objects.filter(entity=entity, status=KeyStatus.ACTIVE).first()
    return key or key_create(entity=entity)


def jwks() -> dict[str, Any]:
    """The JWK Set: every key that still verifies (active and retired), with issuer and status."""
    keys = SigningKey.objects.exclude(status=KeyStatus.REVOKED).select_related("entity").order_by("entity__code", "kid")
    revoked = SigningKey.objects.filter(status=KeyStatus.REVOKED).order_by("kid")
    return {
        "keys": [
            {
                **key.public_jwk,
                "kid": key.kid,
                "alg": key.algorithm,
                "use": "sig",
                "iss": key.entity.code,
                "status": key.status,
            }
            for key in keys
        ]
        # The trust root's keys, which sign the trust list and the status lists (``trust``).
        + [{**pin, "iss": trust.root_issuer(), "status": "trust_root"} for pin in trust.root_pins()],
        # Revoked keys are listed without key material, so no verifier can accept their signatures.
        "revoked": [
            {"kid": key.kid, "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None} for key in revoked
        ],
    }


# --- artifacts --------------------------------------------------------------------------------


def canonical_bytes(facts: dict[str, Any]) -> bytes:
    """The bytes an artifact's signature covers: its facts as JSON with sorted keys, no spaces and
    UTF-8 text (not \\u escapes). Every signed document builds them here; changing this format
    would make every digest already signed disagree with its document."""
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def token_payload(
    *,
    entity: Entity,
    kind: str,
    serial: str,
    issued_at: dt.datetime,
    digest_hex: str,
    status_index: int | None = None,
    holder: str = "",
) -> dict[str, Any]:
    """What a document's token says, readable offline: issuer, kind, serial, date of issue, the
    holder's name already masked (``mask_name``), the digest of its content, and where its status
    is listed (``trust.status_claim``). Nothing else: the rest stays on the verify page."""
    payload: dict[str, Any] = {
        "iss": entity.code,
        "kind": kind,
        "sn": serial,
        "iat": int(issued_at.timestamp()),
        "dig": crypto.b64url(bytes.fromhex(digest_hex)),
    }
    if holder:
        payload["hn"] = holder
    if status_index is not None:
        payload["status"] = trust.status_claim(status_index)
    return payload


class Signer:
    """Signs many artifacts with one decrypted key (bulk issuance and imports)."""

    def __init__(self, entity: Entity, *, index_block: int = 1) -> None:
        """``index_block``: how many status indexes to take from the sequence at a time (imports)."""
        self.key = active_key(entity)
        self._private = crypto.unwrap_private_key(self.key.private_key_encrypted, self.key.kid)
        self._indexes = trust.IndexPool(index_block)

    def artifact(
        self,
        *,
        kind: str,
        serial: str,
        issued_at: dt.datetime,
        content: bytes,
        display: list[tuple[str, Value]],
        holder: str = "",
    ) -> Artifact:
        """An unsaved, signed artifact (the caller saves it, alone or in bulk). ``display`` is not
        signed: labels are msgids, values strings or typed values (``verification.display``).
        ``holder``: the holder's name, masked (``mask_name``), which the token carries for offline
        scanners; "" when the document has no personal holder (a letter)."""
        entity = self.key.entity
        digest = hashlib.sha256(content).hexdigest()
        index = self._indexes.take()
        payload = token_payload(
            entity=entity,
            kind=kind,
            serial=serial,
            issued_at=issued_at,
            digest_hex=digest,
            status_index=index,
            holder=holder,
        )
        return Artifact(
            entity=entity,
            kind=kind,
            serial=serial,
            issued_at=issued_at,
            digest=digest,
            key=self.key,
            token=crypto.jws_sign(payload, kid=self.key.kid, private_key=self._private),
            display=[[label, value] for label, value in display],
            status_index=index,
        )


@transaction.atomic
def artifact_issue(
    *,
    entity: Entity,
    kind: str,
    serial: str,
    content: bytes,
    display: list[tuple[str, Value]],
    issued_at: dt.datetime | None = None,
    holder: str = "",
    actor: Any = None,
) -> Artifact:
    """Sign and register one artifact. ``content`` is the canonical bytes its digest covers;
    ``display`` the label/value pairs the public page shows (labels are msgids, values masked, see
    ``verification.display`` for values formatted in the reader's language and time zone)."""
    artifact = Signer(entity).artifact(
        kind=kind, serial=serial, issued_at=issued_at or timezone.now(), content=content, display=display, holder=holder
    )
    artifact.save(force_insert=True)
    audit_record(action="artifact_issue", actor=actor, entity=entity, target=artifact, data={"kind": kind})
    return artifact


@transaction.atomic
def artifact_revoke(
    *, artifact: Artifact, reason: str, actor: Any = None, request: HttpRequest | None = None
) -> Artifact:
    if not reason.strip():
        raise ValidationError(_("Give the reason for revoking."), code="reason_required")
    artifact = Artifact.objects.select_for_update().get(pk=artifact.pk)
    if artifact.status != ArtifactStatus.VALID:
        raise ValidationError(_("This document is already %(status)s.") % {"status": artifact.get_status_display()})
    artifact.status, artifact.revoked_at, artifact.revoked_reason = ArtifactStatus.REVOKED, timezone.now(), reason
    artifact.save(update_fields=["status", "revoked_at", "revoked_reason"])
    audit_record(
        action="artifact_revoke",
        actor=actor,
        entity=artifact.entity,
        target=artifact,
        data={"reason": reason},
        request=request,
    )
    invalidate_now_and_on_commit()
    return artifact


@transaction.atomic
def artifact_note_add(
    *,
    artifact: Artifact,
    text: str,
    params: dict[str, str] | None = None,
    at: dt.datetime | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Artifact:
    """Record a change to a document that stays valid (part of a paid amount refunded, say): its
    verify page then names the change and its date, and no longer shows it as plainly valid.

    ``text`` is a msgid, translated when shown, that may use ``%(date)s`` (the day of ``at``, Baghdad
    time, in the reader's language) and the names in ``params`` (values shown as they are)."""
    artifact = Artifact.objects.select_for_update().get(pk=artifact.pk)
    if artifact.status != ArtifactStatus.VALID:
        raise ValidationError(_("This document is already %(status)s.") % {"status": artifact.get_status_display()})
    note = {"at": (at or timezone.now()).isoformat(), "text": text, "params": dict(params or {})}
    artifact.notes = [*artifact.notes, note]
    artifact.save(update_fields=["notes"])
    audit_record(
        action="artifact_note",
        actor=actor,
        entity=artifact.entity,
        target=artifact,
        data={"text": text, "params": note["params"]},
        request=request,
    )
    invalidate_now_and_on_commit()
    return artifact


def note_text(note: dict[str, Any], *, html: bool = False) -> str:
    """One note of ``Artifact.notes`` in the active language, with its date. With ``html``, the
    values are escaped and isolated in ``<bdi>`` (numbers inside Arabic text)."""
    when = timezone.localtime(dt.datetime.fromisoformat(note["at"]))
    values = {"date": date_format(when, "DATE_FORMAT"), **{str(k): str(v) for k, v in note.get("params", {}).items()}}
    if not html:
        return _(note["text"]) % values
    isolated = {k: escape(v) if k == "date" else format_html("<bdi>{}</bdi>", v) for k, v in values.items()}
    return mark_safe(escape(_(note["text"])) % isolated)  # noqa: S308 — every part escaped above


@transaction.atomic
def artifact_supersede(*, artifact: Artifact, replacement: Artifact, actor: Any = None) -> Artifact:
    artifact = Artifact.objects.select_for_update().get(pk=artifact.pk)
    artifact.status, artifact.superseded_by = ArtifactStatus.SUPERSEDED, replacement
    artifact.save(update_fields=["status", "superseded_by"])
    audit_record(
        action="artifact_supersede",
        actor=actor,
        entity=artifact.entity,
        target=artifact,
        data={"by": replacement.serial},
    )
    invalidate_now_and_on_commit()
    return artifact


def verify_url(artifact: Artifact) -> str:
    return f"{settings.SITE_URL}{artifact.path}"


# --- verification -------------------------------------------------------------------------------

REASON_MALFORMED = gettext_noop("The code is damaged or is not one of ours.")
REASON_UNKNOWN_KEY = gettext_noop("It was not signed with any key of a government entity on this portal.")
REASON_BAD_SIGNATURE = gettext_noop("The signature does not match: the document's data has been altered.")
REASON_KEY_REVOKED = gettext_noop("The key that signed it has been revoked.")
REASON_WRONG_ISSUER = gettext_noop("It claims an issuer other than the owner of the key that signed it.")
REASON_NOT_REGISTERED = gettext_noop("No such document is registered.")


@dataclass(frozen=True)
class Verification:
    genuine: bool
    reason: str = ""  # a msgid, translated at display time
    artifact_id: str | None = None
    status: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Genuine and still valid, but changed since it was issued (see ``artifact_note_add``)."""
        return self.genuine and self.status == ArtifactStatus.VALID and bool(self.details.get("notes"))


def _details(artifact: Artifact) -> dict[str, Any]:
    replacement = artifact.superseded_by
    return {
        "entity_ar": artifact.entity.name_ar,
        "entity_en": artifact.entity.name_en,
        "entity_ckb": artifact.entity.name_ckb,
        "entity_code": artifact.entity.code,
        "kind": artifact.kind,
        "serial": artifact.serial,
        "issued_at": artifact.issued_at.isoformat(),
        "display": artifact.display,
        "revoked_at": artifact.revoked_at.isoformat() if artifact.revoked_at else None,
        "revoked_reason": artifact.revoked_reason,
        "notes": artifact.notes,
        "replacement_path": replacement.path if replacement else None,
        "replacement_serial": replacement.serial if replacement else None,
    }


@dataclass(frozen=True)
class _Key:
    """What a check needs of a signing key, kept by each process for one cache generation."""

    public_key: Any
    status: str
    entity: Entity


_keys: dict[str, tuple[int, _Key | None]] = {}


def _key(kid: str, generation: int) -> _Key | None:
    """The signing key ``kid`` (None when there is none), read from the database once per process
    and generation: any key change or revocation starts a new generation, so nothing stale is used."""
    cached = _keys.get(kid)
    if cached is not None and cached[0] == generation:
        return cached[1]
    row = SigningKey.objects.select_related("entity").filter(kid=kid).order_by().first()
    found = None if row is None else _Key(crypto.public_key_from_jwk(row.public_jwk), row.status, row.entity)
    if len(_keys) > 10_000:  # kids seen in forged tokens must not grow it without end
        _keys.clear()
    _keys[kid] = (generation, found)
    return found


def token_check(token: str, *, generation: int | None = None) -> Verification:
    """Check ``token`` against the keys and the register: no result cache (``token_verify`` has one;
    the verify page's hot path keeps the rendered page instead)."""
    try:
        parsed = crypto.jws_parse(token)
    except crypto.MalformedToken:
        return Verification(False, REASON_MALFORMED)
    # PostgreSQL refuses a NUL in any text: no key has one, and asking would be a server error.
    if "\x00" in parsed.kid:
        return Verification(False, REASON_UNKNOWN_KEY)
    key = _key(parsed.kid, cache_generation() if generation is None else generation)
    if key is None:
        return Verification(False, REASON_UNKNOWN_KEY)
    if not crypto.jws_signature_valid(parsed, key.public_key):
        return Verification(False, REASON_BAD_SIGNATURE)
    if key.status == KeyStatus.REVOKED:
        return Verification(False, REASON_KEY_REVOKED)
    payload = parsed.payload
    if payload.get("iss") != key.entity.code:
        return Verification(False, REASON_WRONG_ISSUER)
    # One row by the unique (entity, kind, serial): no sort, no join (the entity is the key's).
    rows = Artifact.objects.filter(entity_id=key.entity.pk, kind=payload.get("kind"), serial=payload.get("sn"))
    artifact = next(iter(rows.order_by()[:1]), None)
    if artifact is None or crypto.b64url(bytes.fromhex(artifact.digest)) != payload.get("dig"):
        return Verification(False, REASON_NOT_REGISTERED)
    artifact.entity = key.entity
    return Verification(True, "", str(artifact.pk), artifact.status, _details(artifact))


def token_verify(token: str, *, generation: int | None = None) -> Verification:
    """Check a token: signature, key status, issuer and the register's live status.

    Results are cached briefly; any revocation or key change invalidates them all at once.
    ``generation``: the current cache generation when the caller has just read it.
    """
    generation = cache_generation() if generation is None else generation
    cache_key = f"verification:{generation}:{hashlib.sha256(token.encode()).hexdigest()}"
    cached = cache.get(cache_key)
    if cached is not None:
        return Verification(**cached)
    result = token_check(token, generation=generation)
    cache.set(cache_key, result.__dict__, _RESULT_TTL)
    return result


def artifact_lookup(*, serial: str, issued_on: dt.date) -> Verification | None:
    """For auditors with paper only: the register entry with this serial, issued on that day
    (Baghdad time, as printed). None when nothing matches: a mistyped serial or date is not a
    forgery, and the answer is the same whether the serial exists with another date or not at all."""
    artifact = (
        Artifact.objects.select_related("entity", "superseded_by", "key")
        .filter(serial__iexact=serial.strip(), issued_at__date=issued_on)
        .first()
    )
    if artifact is None:
        return None
    if artifact.key.status == KeyStatus.REVOKED:
        return Verification(False, REASON_KEY_REVOKED)
    return Verification(True, "", str(artifact.pk), artifact.status, _details(artifact))


def reason_text(reason: str) -> str:
    """A revocation's reason in the reader's language: services give msgids ("Payment refunded"),
    people type their own words, which are shown as typed."""
    return _(reason) if reason else ""


# --- what the offline scanner keeps --------------------------------------------------------------

STATUS_CACHE_KEY = "verification:status-list"


def _in_each_language(make: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """``make(*args)`` in each of the portal's languages, by language code."""
    result = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            result[language] = make(*args)
    return result


def _note_texts(notes: list[dict[str, Any]]) -> list[str]:
    return [note_text(note) for note in notes]


def status_list() -> dict[str, Any]:
    """What the offline scanner downloads besides the keys, for a check with no connection.

    ``issuers``: the name of every entity whose keys verify, in each language, by code.
    ``documents``: every document that is not plainly valid (revoked, replaced, or changed since
    issue), by the SHA-256 of its token, with its status, date, reason and notes in each language.
    Only someone holding a token finds its entry: the list names no serial and holds no token.
    Those rows are read through a partial index (``artifact_not_plainly_valid``).
    """
    entities = (
        Entity.objects.filter(signing_keys__status__in=[KeyStatus.ACTIVE, KeyStatus.RETIRED])
        .distinct()
        .order_by("code")
        .values_list("code", "name_ar", "name_en", "name_ckb")
    )
    issuers = {
        code: {"ar": name_ar, "en": name_en or name_ar, "ckb": name_ckb or name_ar}
        for code, name_ar, name_en, name_ckb in entities
    }
    documents: dict[str, dict[str, Any]] = {}
    changed = (
        Artifact.objects.exclude(status=ArtifactStatus.VALID, notes=[])
        .order_by()  # no sort: the entries are keyed, not listed
        .select_related("superseded_by")
        .only("token", "status", "notes", "revoked_at", "revoked_reason", "superseded_by__serial")
    )
    for artifact in changed.iterator(chunk_size=2000):
        entry: dict[str, Any] = {"status": artifact.status}
        if artifact.status == ArtifactStatus.REVOKED:
            entry["revoked_at"] = artifact.revoked_at.isoformat() if artifact.revoked_at else None
            entry["reason"] = _in_each_language(reason_text, artifact.revoked_reason)
        elif artifact.status == ArtifactStatus.SUPERSEDED:
            entry["replacement"] = artifact.superseded_by.serial if artifact.superseded_by else None
        elif artifact.notes:
            entry["notes"] = _in_each_language(_note_texts, artifact.notes)
        documents[hotpath.token_digest(artifact.token)] = entry
    return {"generated_at": timezone.now().isoformat(timespec="seconds"), "issuers": issuers, "documents": documents}


def status_list_cached() -> dict[str, Any]:
    """The status list, built again after any revocation, replacement or note (a new generation)."""
    cache_key = f"{STATUS_CACHE_KEY}:{cache_generation()}"
    data = cache.get(cache_key)
    if data is None:
        data = status_list()
        cache.set(cache_key, data, _RESULT_TTL)
    return data


def verification_count(artifact_id: str) -> None:
    """Count a verification for the issuer's view; who scanned is never stored.

    (The anonymous hot path of /v/<token> counts in Redis instead: see ``hotpath``.)
    """
    Artifact.objects.filter(pk=artifact_id).update(verify_count=F("verify_count") + 1, last_verified_at=timezone.now())


def verification_counts_flush() -> int:
    """Add the scans counted in Redis to the register; returns how many artifacts were updated."""
    counts = hotpath.pending_counts()
    now = timezone.now()
    with transaction.atomic():
        for artifact_id, count in counts.items():
            Artifact.objects.filter(pk=artifact_id).update(verify_count=F("verify_count") + count, last_verified_at=now)
    return len(counts)


# --- masking personal data ---------------------------------------------------------------------


def mask_name(name: str) -> str:
    """Initials only: "أحمد كريم العبيدي" → "أ. ك. ا."."""
    initials = []
    for word in name.split():
        # The article "ال" is not an initial: "العبيدي" → "ع."
        initials.append(word[2] if word.startswith("ال") and len(word) > 3 else word[0])
    return " ".join(f"{initial}." for initial in initials)


def mask_id(number: str, visible: int = 4) -> str:
    number = number.strip()
    return "•" * max(len(number) - visible, 0) + number[-visible:]
