"""The most-scanned page in one Redis round trip.

For a visitor with no session, one pipeline does everything a repeat scan needs: the rate-limit
counter, the current cache generation, the shared rendering of this token's page, and the
verification count (kept per token digest; the token→artifact map is written when the page is
first rendered, and the minute flush turns digests into artifacts). A revocation bumps the
generation, so a stored page of an older generation is never served.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from govportal.redis import redis_client

COUNTS_KEY = "verification:scan-counts"
ARTIFACTS_KEY = "verification:scan-artifacts"
PAGE_TTL = 300


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Lookup:
    limited: bool
    generation: int
    html: bytes | None


def lookup(*, token: str, language: str, client: str, limit: int, generation_key: str) -> Lookup | None:
    """None when there is no Redis (the embedded mode takes the ordinary path)."""
    connection = redis_client()
    if connection is None:
        return None
    digest = token_digest(token)
    window = int(time.time() // 60)
    rate_key = f"ratelimit:verify:{client}:{window}"
    pipe = connection.pipeline(transaction=False)
    pipe.incr(rate_key)
    pipe.expire(rate_key, 65, nx=True)
    pipe.get(cache.make_key(generation_key))
    pipe.get(f"verification:page:{language}:{digest}")
    pipe.hincrby(COUNTS_KEY, digest, 1)
    count, _expire, generation_raw, stored, _counted = pipe.execute()
    generation = int(generation_raw or 0)  # 0: the cache lost it (``cache_generation`` starts it again)
    html = None
    if stored is not None:
        stored_generation, _, page = bytes(stored).partition(b"\n")
        html = page if int(stored_generation) == generation else None
    return Lookup(limited=int(count) > limit, generation=generation, html=html)


def remember(*, token: str, language: str, generation: int, artifact_id: str | None, html: bytes) -> None:
    connection = redis_client()
    if connection is None:
        return
    digest = token_digest(token)
    pipe = connection.pipeline(transaction=False)
    pipe.set(f"verification:page:{language}:{digest}", str(generation).encode() + b"\n" + html, ex=PAGE_TTL)
    if artifact_id:
        pipe.hset(ARTIFACTS_KEY, digest, artifact_id)
    pipe.execute()


def count_many(artifacts: dict[str, str]) -> None:
    """Count one scan of each document, ``{token digest: artifact id}``, in one round trip (the
    API's batches: their documents are known already, so the map is written at once)."""
    connection = redis_client()
    if connection is None or not artifacts:
        return
    mapping: dict[Any, Any] = dict(artifacts)
    pipe = connection.pipeline(transaction=False)
    pipe.hset(ARTIFACTS_KEY, mapping=mapping)
    # One command for every count: a thousand HINCRBY commands cost more to pack than to run.
    pipe.eval(_COUNT_EACH, 1, COUNTS_KEY, *artifacts)
    pipe.execute()


_COUNT_EACH = "for _, digest in ipairs(ARGV) do redis.call('HINCRBY', KEYS[1], digest, 1) end return #ARGV"


def pending_counts() -> dict[str, int]:
    """Per artifact id: the scans counted on the hot path since the last flush."""
    connection = redis_client()
    if connection is None:
        return {}
    counts = {_text(key): int(value) for key, value in connection.hgetall(COUNTS_KEY).items()}
    if not counts:
        return {}
    found = connection.hmget(ARTIFACTS_KEY, list(counts))
    artifacts = {
        digest: _text(artifact) if artifact is not None else None
        for digest, artifact in zip(counts, found, strict=True)
    }
    per_artifact: dict[str, int] = {}
    for digest, count in counts.items():
        artifact = artifacts[digest]
        if artifact is not None:
            per_artifact[artifact] = per_artifact.get(artifact, 0) + count
    _forget(connection, counts, artifacts)
    return per_artifact


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _forget(connection: object, counts: dict[str, int], artifacts: dict[str, str | None]) -> None:
    """Subtract what was read (scans counted meanwhile stay); drop fields that reach zero and
    digests of tokens that never verified (so made-up tokens cannot grow the hash)."""
    pipe = connection.pipeline(transaction=False)  # type: ignore[attr-defined]
    for digest, count in counts.items():
        pipe.hincrby(COUNTS_KEY, digest, -count)
    left = dict(zip(counts, pipe.execute(), strict=True))
    empty = [digest for digest, value in left.items() if int(value) <= 0 or artifacts[digest] is None]
    if empty:
        connection.hdel(COUNTS_KEY, *empty)  # type: ignore[attr-defined]
