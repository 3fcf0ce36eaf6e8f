"""Bulk nominations from a CSV or XLSX file: every bad row reported, nothing kept when any row is bad.

Each row goes through the same services as the form (``trainee_upsert``, ``nomination_create``)
inside one transaction, so the quota, overlap and window rules are the ones of a single
nomination; rows later in the file see the seats taken by earlier ones. Any problem rolls the
whole file back.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govportal.accounts.models import User
from govportal.entities.models import Entity
from govportal.importing import CsvRecords, empty_error, utf8_text
from govportal.text import items_joined
from govportal.uploads import XLSX, check_size, check_upload
from training.constants import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from training.models import Session
from training.services import TraineeDetails, nomination_create, nominations_notify_admins, trainee_upsert

logger = logging.getLogger(__name__)

COLUMNS = ["full_name", "national_id", "job_title", "email", "phone"]
REQUIRED = ["full_name", "national_id", "job_title"]
# The same columns with Arabic headings, as a coordinator's spreadsheet may have them.
ARABIC_HEADINGS = {
    "الاسم الكامل": "full_name",
    "الاسم": "full_name",
    "الرقم الوطني": "national_id",
    "رقم البطاقة الوطنية": "national_id",
    "العنوان الوظيفي": "job_title",
    "البريد الإلكتروني": "email",
    "الهاتف": "phone",
    "رقم الهاتف": "phone",
}


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _heading(text: Any) -> str:
    value = str(text or "").strip()
    return ARABIC_HEADINGS.get(value, value.lower().replace(" ", "_"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a national ID typed into a spreadsheet becomes a number
    return str(value).strip()


def _read_rows(upload: UploadedFile) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs from a CSV (UTF-8) or XLSX upload, checked by content, not by name. A row's
    line is the CSV line where it starts, or the spreadsheet's row number."""
    check_size(upload.size, max_bytes=MAX_IMPORT_BYTES)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"PK\x03\x04"):
        table = _spreadsheet(upload)
    elif b"\x00" in data:  # UTF-16, a picture, a PDF…: not text at all
        raise ValidationError(_("The file must be CSV (UTF-8) or XLSX."), code="bad_type")
    else:
        table = list(CsvRecords(io.StringIO(utf8_text(data), newline="")))
    if not table:
        raise empty_error()
    header = [_heading(cell) for cell in table[0][1]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValidationError(
            _("The file's header lacks these columns: %(columns)s.") % {"columns": items_joined(missing)},
            code="bad_header",
        )
    rows = [
        (line, {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name in COLUMNS})
        for line, row in table[1:]
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise empty_error()
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(
            ngettext("At most %(count)s employee per file.", "At most %(count)s employees per file.", MAX_IMPORT_ROWS)
            % {"count": MAX_IMPORT_ROWS},
            code="too_many_rows",
        )
    return rows


def _spreadsheet(upload: UploadedFile) -> list[tuple[int, list[str]]]:
    """The first sheet's rows with their numbers; a translated error for anything that is not a
    workbook openpyxl can read (a damaged file, a renamed archive, a sheet it cannot parse)."""
    check_upload(upload, allowed=(XLSX,), max_bytes=MAX_IMPORT_BYTES, allowed_label=_("The file must be CSV or XLSX."))
    from openpyxl import load_workbook  # heavy: only when a spreadsheet arrives

    try:
        book = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                return []
            return [
                (number, [_cell(value) for value in row])
                for number, row in enumerate(book.worksheets[0].iter_rows(min_row=1, values_only=True), start=1)
            ]
        finally:
            book.close()
    except Exception as error:  # openpyxl raises many kinds (zip, XML, KeyError…) for a damaged file
        logger.info("training import: unreadable spreadsheet (%s: %s)", type(error).__name__, error)
        raise ValidationError(
            _("The spreadsheet cannot be read: it may be damaged. Save it again as XLSX (or CSV UTF-8) and retry."),
            code="bad_type",
        ) from error


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [str(message) for messages in error.message_dict.values() for message in messages]
    return [str(message) for message in error.messages]


def nominations_import(*, session: Session, entity: Entity, upload: UploadedFile, actor: User) -> ImportReport:
    """Nominate every employee in the file for ``session``, or none of them (see the module's docstring)."""
    report = ImportReport()
    rows = _read_rows(upload)
    seen: dict[str, int] = {}
    with transaction.atomic():
        for line, row in rows:
            report.rows += 1
            problems = [_("%(column)s is missing") % {"column": column} for column in REQUIRED if not row.get(column)]
            national_id = row.get("national_id", "")
            if national_id in seen:
                problems.append(_("the employee repeats line %(line)d") % {"line": seen[national_id]})
            seen.setdefault(national_id, line)
            if not problems:
                details = TraineeDetails(**{column: row.get(column, "") for column in COLUMNS})
                try:
                    with transaction.atomic():
                        trainee = trainee_upsert(entity=entity, details=details)
                        nomination_create(session=session, trainee=trainee, actor=actor)
                except ValidationError as error:
                    problems.extend(_messages(error))
            if problems:
                report.errors.append({"line": line, "name": row.get("full_name", ""), "errors": problems})
            else:
                report.imported += 1
        if report.errors:
            transaction.set_rollback(True)
            report.imported = 0
        elif report.imported:
            nominations_notify_admins(session=session, entity=entity, count=report.imported)
    return report
