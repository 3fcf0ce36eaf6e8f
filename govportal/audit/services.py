"""Writing and checking the hash-chained audit log."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from govportal.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK_KEY = 7_406_221_001


def _canonical(value: Any) -> Any:
    """JSON-safe copy of ``value`` exactly as it will read back from the database."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_digest(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every field a reader relies on."""
    payload = {
        "prev": event.prev_hash,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "entity": event.entity_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "ip": event.ip,
        "data": event.data,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the database will store it (behind trusted proxies: from X-Forwarded-For)."""
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no usable address in the request
        return None
    return normalize_ip(address)


def normalize_ip(address: str | None) -> str | None:
    """The one spelling of a client address that is stored and hashed, the same on every Python.

    An IPv4 client seen through an IPv6 socket (``::ffff:10.0.0.1``) is that IPv4 client: Python
    3.12 and 3.13 write the mapped form differently (``::ffff:a00:1``), the plain address never.
    Other IPv6 addresses take their RFC 5952 form, without a zone (``%eth0``), which is local to
    the machine that saw it.
    """
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return ipaddress.IPv6Address(int(ip)).compressed  # int() drops the zone
    return ip.compressed


def audit_record(
    *,
    action: str,
    actor: Any = None,
    entity: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Runs inside the caller's transaction when there is one, so an event is written
    exactly when the change it describes is committed. Appends are serialised (an
    advisory lock on PostgreSQL; SQLite serialises writers itself) so that two
    concurrent events can never claim the same predecessor.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor,
            actor_label=(getattr(actor, "email", None) or str(actor)) if actor else "",
            entity=entity,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            ip=client_ip(request),
            data=_canonical(data or {}),
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _events_in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain; report the first event whose link or content does not match."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "previous-hash link does not match the event before it")
        if event_digest(event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash (edited)")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked)
