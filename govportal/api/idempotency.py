"""``Idempotency-Key``: a client that retries a request (its answer was lost on the way) gets the first
answer again instead of a second bill. Keys are per client and kept for ``KEY_LIFETIME``.

Safe under concurrency through the database alone: the first request inserts the key's row and holds
it until its transaction commits with the answer; a concurrent retry's insert of the same (client,
key) waits on the unique index, finds the committed row and replays it. Nothing is stored when the
work fails (an error is not an answer to replay): the key can be used again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.api.errors import ApiError
from govportal.api.models import ApiClient, IdempotencyKey

HEADER = "Idempotency-Key"
KEY_LIFETIME = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(method: str, path: str, payload: Any) -> str:
    """What must match for a retry to be the same request: the method, the path and the body as parsed
    (so key order and spacing do not count)."""
    canonical = json.dumps([method, path, payload], sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> None:
    if not 1 <= len(key) <= KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            "invalid",
            _("The Idempotency-Key must be 1 to 255 printable ASCII characters."),
            fields={HEADER: [_("Use a new random value (a UUID) for each new request.")]},
        )


def idempotent(*, client: ApiClient, key: str, fingerprint: str, work: Callable[[], Answer]) -> Answer:
    """``work()``'s answer, done at most once per (client, key) while the key lives.

    The same key with another ``fingerprint`` (a different request) is refused with 422
    ``idempotency_mismatch``. ``work`` runs inside this transaction: if it raises, nothing is kept."""
    _check_key(key)
    with transaction.atomic():
        # Insert-or-wait: a concurrent first request holds the row until it commits.
        IdempotencyKey.objects.bulk_create(
            [IdempotencyKey(client=client, key=key, request_hash=fingerprint)], ignore_conflicts=True
        )
        stored = IdempotencyKey.objects.select_for_update().get(client=client, key=key)
        if stored.response_status is not None and stored.created_at < timezone.now() - KEY_LIFETIME:
            stored.request_hash, stored.response_status, stored.response_body = fingerprint, None, None
            stored.created_at = timezone.now()  # an expired key the purge has not reached: a new one
            stored.save(update_fields=["request_hash", "response_status", "response_body", "created_at"])
        if stored.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_mismatch",
                _("This Idempotency-Key was already used for a different request. Use a new key for a new request."),
            )
        if stored.response_status is not None:
            return Answer(stored.response_status, stored.response_body or {}, replayed=True)
        answer = work()
        stored.response_status, stored.response_body = answer.status, answer.body
        stored.save(update_fields=["response_status", "response_body"])
        return answer


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Forget keys older than ``KEY_LIFETIME``; the number forgotten."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
