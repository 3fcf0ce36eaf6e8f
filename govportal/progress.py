"""How far a long task has got, for its page's progress bar. Kept in the cache (Redis in
production) because the task's own rows stay invisible until its single transaction commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)
TIMEOUT = 6 * 3600


@dataclass(frozen=True)
class Progress:
    phase: str  # "queued", then the task's own phases, then "done" or "failed"
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.phase == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.phase not in ("done", "failed")


def progress_set(key: str, phase: str, done: int, total: int) -> None:
    try:
        cache.set(key, {"phase": phase, "done": done, "total": total}, timeout=TIMEOUT)
    except Exception:  # noqa: BLE001 — progress is a courtesy; the task goes on without the cache
        logger.warning("could not record progress %s", key, exc_info=True)


def progress_clear(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001
        logger.warning("could not clear progress %s", key, exc_info=True)


def progress_get(key: str, *, done: int, total: int) -> Progress:
    """What the task last recorded, or "queued" with the given counts when it has not started."""
    try:
        seen = cache.get(key)
    except Exception:  # noqa: BLE001
        seen = None
    if not seen:
        return Progress("queued", done, total)
    return Progress(seen["phase"], seen["done"], seen["total"])
