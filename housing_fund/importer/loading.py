"""loans_import: check every row of a file and, if none is bad, write it in one transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction

from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.importing import EMPTY
from housing_fund.importer.reading import ProgressCallback, _good_rows, _Unreadable
from housing_fund.importer.report import ImportReport, _every_language
from housing_fund.importer.writing import _write_python, _write_sql

CHUNK = 1024 * 1024


def _lock() -> None:
    """One loan import at a time (two files naming the same new number would both pass the check)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('housing_fund.loan_import'))")


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def loans_import(
    source: str | Path | IO[bytes],
    *,
    branch: Entity,
    actor: Any = None,
    progress: ProgressCallback = _no_progress,
    total: int = 0,
    sha256: str = "",
    target: Any = None,
    method: str = "auto",
) -> ImportReport:
    """Check every row of a legacy loans file and, if none is bad, import it into ``branch`` in one
    transaction. ``method`` is ``sql`` (PostgreSQL only), ``python`` or ``auto``."""
    use_sql = method == "sql" or (method == "auto" and connection.vendor == "postgresql")
    report = ImportReport()
    with transaction.atomic():
        _lock()
        try:
            batches = _good_rows(source, branch=branch, report=report, progress=progress, total=total)
            if use_sql:
                # The rows stream into the stage table as they pass the checks; after the first
                # bad one the rest is only checked, and the whole transaction is rolled back below.
                _write_sql(batches, branch=branch, report=report, progress=progress, total=total)
            else:
                good = [row for batch in batches for row in batch]  # check everything first
                if report.ok:
                    _write_python(good, branch=branch, report=report, progress=progress, total=len(good))
        except _Unreadable as unreadable:
            report.refuse_file(unreadable.line, unreadable.messages)
        if report.ok and not report.rows:
            report.refuse_file(None, _every_language(lambda: str(EMPTY)))
        if not report.ok:
            report.imported = report.installments = 0
            transaction.set_rollback(True)
            return report
        audit_record(
            action="loan_import",
            actor=actor,
            entity=branch,
            target=target,
            data={"sha256": sha256 or _digest(source), **report.counts()},
        )
    return report


def _digest(source: str | Path | IO[bytes]) -> str:
    digest = hashlib.sha256()
    if isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    else:
        source.seek(0)
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
