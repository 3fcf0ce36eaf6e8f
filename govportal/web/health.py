"""The checks behind /healthz: each shared dependency answers, or the node is unhealthy."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from govportal.celery import app as celery_app


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was written")


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)


def _storage() -> None:
    """Write and remove a tiny object: proves the bucket (or directory) exists and is writable."""
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "storage": _storage,
}


_MEMO_SECONDS = 5.0
_memo: tuple[float, dict[str, dict[str, object]]] | None = None


def run_checks(*, fresh: bool = False) -> dict[str, dict[str, object]]:
    """Every check's result. Answers are reused for a few seconds per process, so a public
    /healthz polled by load balancers (or anyone) cannot turn into a write storm on storage."""
    global _memo
    now = time.monotonic()
    if not fresh and _memo is not None and now - _memo[0] < _MEMO_SECONDS:
        return _memo[1]
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 — any failure makes the dependency unhealthy
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    _memo = (now, results)
    return results
