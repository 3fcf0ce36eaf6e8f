"""How far a settlement file's reconciliation has got, for the pages (see govportal.progress)."""

from __future__ import annotations

from collection.constants import SettlementStatus
from collection.models import SettlementFile
from govportal import progress
from govportal.progress import Progress


def progress_key(settlement: SettlementFile) -> str:
    return f"collection:settlement:{settlement.pk}:progress"


def progress_set(settlement: SettlementFile, phase: str, done: int, total: int) -> None:
    progress.progress_set(progress_key(settlement), phase, done, total)


def progress_clear(settlement: SettlementFile) -> None:
    progress.progress_clear(progress_key(settlement))


def settlement_progress(settlement: SettlementFile) -> Progress:
    if settlement.status == SettlementStatus.DONE:
        return Progress("done", settlement.rows_done, settlement.rows_total)
    if settlement.status == SettlementStatus.FAILED:
        return Progress("failed", 0, settlement.rows_total)
    return progress.progress_get(progress_key(settlement), done=0, total=settlement.rows_total)
