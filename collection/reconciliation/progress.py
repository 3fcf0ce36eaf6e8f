"""How far a settlement file's reconciliation has got, for the pages.

The rows go in inside one transaction that stays open until the end, so progress cannot be
read from the database meanwhile: the worker writes it to the cache (Redis in production,
shared with the web tier) and the page reads it from there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache

from collection.constants import SettlementStatus
from collection.models import SettlementFile

logger = logging.getLogger(__name__)


def progress_key(settlement: SettlementFile) -> str:
    return f"collection:settlement:{settlement.pk}:progress"


def progress_set(settlement: SettlementFile, phase: str, done: int, total: int) -> None:
    try:
        cache.set(progress_key(settlement), {"phase": phase, "done": done, "total": total}, timeout=6 * 3600)
    except Exception:  # noqa: BLE001 — progress is a courtesy; reconciling goes on without the cache
        logger.warning("could not record progress of settlement file %s", settlement.pk, exc_info=True)


def progress_clear(settlement: SettlementFile) -> None:
    try:
        cache.delete(progress_key(settlement))
    except Exception:  # noqa: BLE001
        logger.warning("could not clear progress of settlement file %s", settlement.pk, exc_info=True)


@dataclass(frozen=True)
class Progress:
    phase: str  # queued | reading | matching | done | failed
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.phase == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.phase in ("queued", "reading", "matching")


def settlement_progress(settlement: SettlementFile) -> Progress:
    if settlement.status == SettlementStatus.DONE:
        return Progress("done", settlement.rows_done, settlement.rows_total)
    if settlement.status == SettlementStatus.FAILED:
        return Progress("failed", 0, settlement.rows_total)
    try:
        seen = cache.get(progress_key(settlement))
    except Exception:  # noqa: BLE001
        seen = None
    if not seen:
        return Progress("queued", 0, settlement.rows_total)
    return Progress(seen["phase"], seen["done"], seen["total"])
