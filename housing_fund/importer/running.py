"""Running a queued import (the task's work) and its progress for the pages."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govportal.audit.services import audit_record
from govportal.progress import Progress, progress_clear, progress_get, progress_set
from housing_fund.constants import ImportStatus
from housing_fund.importer.loading import loans_import
from housing_fund.importer.report import ImportReport, _every_language
from housing_fund.models import LoanImport

logger = logging.getLogger(__name__)


def import_run(loan_import_id: Any) -> LoanImport | None:
    """Run a queued import (the task's work): safe to repeat, a finished import is left alone.

    The loans and the import's outcome are committed together, under a lock on the import's row:
    a task delivered twice imports the file once.
    """
    with transaction.atomic():
        current = LoanImport.objects.select_for_update().filter(pk=loan_import_id).first()
        if current is None or current.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return current
        current.status, current.rows_done = ImportStatus.RUNNING, 0
        current.save(update_fields=["status", "rows_done"])
    queued = current

    def progress(phase: str, done: int, total: int) -> None:
        progress_set(_progress_key(queued), phase, done, total)

    progress("checking", 0, current.rows_total)
    try:
        with transaction.atomic():
            current = LoanImport.objects.select_for_update().select_related("branch", "uploaded_by").get(pk=current.pk)
            if current.status in (ImportStatus.DONE, ImportStatus.FAILED):  # another worker finished it meanwhile
                return current
            with current.upload.open("rb") as stored, translation.override(settings.LANGUAGE_CODE):
                report = loans_import(
                    getattr(stored, "file", stored),
                    branch=current.branch,
                    actor=current.uploaded_by,
                    progress=progress,
                    total=current.rows_total,
                    sha256=current.sha256,
                    target=current,
                )
            status = ImportStatus.DONE if report.ok else ImportStatus.FAILED
            return _finish(current, status, report, report.error_list())
    except Exception:
        logger.exception("loan import %s failed", current.pk)
        _finish(current, ImportStatus.FAILED, ImportReport(), [_internal_error()])
        raise
    finally:
        progress_clear(_progress_key(current))


def _internal_error() -> dict[str, Any]:
    return {
        "line": None,
        "loan_number": "",
        "messages": _every_language(
            lambda: _("the file could not be imported; nothing was changed. Try again or ask support.")
        ),
    }


def _finish(current: LoanImport, status: str, report: ImportReport, errors: list[dict[str, Any]]) -> LoanImport:
    with transaction.atomic():
        current = LoanImport.objects.select_for_update().get(pk=current.pk)
        current.status, current.counts, current.errors = status, report.counts(), errors
        current.rows_done = report.rows
        if report.rows:
            current.rows_total = report.rows
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "counts", "errors", "rows_done", "rows_total", "finished_at"])
        if status == ImportStatus.FAILED:
            audit_record(
                action="loan_import", actor=current.uploaded_by, entity=current.branch, target=current,
                data={"sha256": current.sha256, "status": "failed", **report.counts()},
            )  # fmt: skip
    return current


# --- Progress, for the pages ----------------------------------------------------------------------
# The import's transaction stays open until the end, so progress goes to the cache (Redis in
# production, shared by the worker and the web tier), not to the import's row.


def _progress_key(loan_import: LoanImport) -> str:
    return f"housing_fund:import:{loan_import.pk}:progress"


def import_progress(loan_import: LoanImport) -> Progress:
    if loan_import.status == ImportStatus.DONE:
        return Progress("done", loan_import.rows_done, loan_import.rows_total)
    if loan_import.status == ImportStatus.FAILED:
        return Progress("failed", loan_import.rows_done, loan_import.rows_total)
    return progress_get(_progress_key(loan_import), done=loan_import.rows_done, total=loan_import.rows_total)
