"""Uploads from the page: who may import where, storing the file and queuing its import."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.entities.models import Entity
from govportal.importing import CsvScan, scan_csv
from govportal.tasks import enqueue
from housing_fund.importer.reading import COLUMNS
from housing_fund.models import LoanImport

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.FUND_OFFICER,)
MAX_FILE_BYTES = 100 * 1024 * 1024


# --- Uploads from the page ---------------------------------------------------------------------------


def imports_of(user: Any) -> QuerySet[LoanImport]:
    """The imports of the branches where the user is a fund officer."""
    return (
        LoanImport.objects.filter(branch__in=entities_of(user, roles=IMPORT_ROLES))
        .select_related("branch", "uploaded_by")
        .order_by("-created_at")
    )


def import_branches(user: Any) -> QuerySet[Entity]:
    return entities_of(user, roles=IMPORT_ROLES).order_by("code")


def _scan(handle: IO[bytes]) -> CsvScan:
    """Check, by its content, that the file is UTF-8 CSV text with the legacy loans header and rows."""
    wrong = _("This is not a legacy loans file: its first line must be %(columns)s.") % {"columns": ",".join(COLUMNS)}
    return scan_csv(handle, max_bytes=MAX_FILE_BYTES, columns=COLUMNS, wrong_header=wrong)


def import_upload(
    *, branch: Entity, name: str, source: IO[bytes], actor: Any, request: HttpRequest | None = None
) -> LoanImport:
    """Store an uploaded legacy loans file for ``branch`` and queue its import (a task, on commit)."""
    if not import_branches(actor).filter(pk=branch.pk).exists():
        raise PermissionDenied
    source.seek(0)
    scan = _scan(source)
    source.seek(0)
    with transaction.atomic():
        loan_import = LoanImport.objects.create(
            name=Path(name).name[:200] or f"{scan.sha256}.csv",
            sha256=scan.sha256,
            branch=branch,
            uploaded_by=actor,
            rows_total=scan.rows,
        )
        loan_import.upload.save(f"{scan.sha256}.csv", File(source), save=False)
        loan_import.save(update_fields=["upload"])
        pk = str(loan_import.pk)
        enqueue("housing_fund.tasks.loans_import_task", pk)
    logger.info("loan import %s queued (%s, %d rows)", pk, loan_import.name, scan.rows)
    return loan_import
