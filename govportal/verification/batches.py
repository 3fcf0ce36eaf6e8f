"""Auditors with many papers: a CSV file of serials and dates of issue in, a CSV file of answers out.

An auditor uploads the file; it is checked at once by its content (size, text, UTF-8, rows) and
then read and answered in a Celery task on the bulk queue, a thousand rows at a time through the
API's own batch check (``checking.papers_check``), with its progress in the cache for its page. A
file with bad rows is refused as a whole, each bad row listed with its line and what is wrong, as
the portal's importers do: the auditor corrects the file and uploads it again.

The answers are those of the public "check by serial" page, in the language the auditor used when
uploading: ``serial,date,status,kind,issuer,issued_on,revoked_on,revocation_reason``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import entities_of
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.importing import CHUNK, CsvRecords, Utf8Check, empty_error, more_bad_rows
from govportal.progress import Progress, progress_clear, progress_get, progress_set
from govportal.tasks import enqueue
from govportal.text import clauses_joined
from govportal.uploads import check_size
from govportal.verification.checking import DAY_WRITTEN, MAX_BATCH, SERIAL_MAX, check_facts, checks_count, papers_check
from govportal.verification.constants import BatchStatus
from govportal.verification.models import VerificationBatch
from govportal.web.csv_export import csv_cell

logger = logging.getLogger(__name__)

BATCH_ROLES = (Role.AUDITOR,)
MAX_FILE_BYTES = 10 * 1024 * 1024  # about 350,000 rows
ERRORS_KEPT = 500  # bad rows listed; the rest are counted
HEADER = ["serial", "date"]
RESULT_HEADER = ["serial", "date", "status", "kind", "issuer", "issued_on", "revoked_on", "revocation_reason"]
TASK = "govportal.verification.tasks.verification_batch_run"

# Reasons beside a line number, translated when shown.
CELLS = gettext_noop("this line has %(count)s cells: it needs two, the serial number and the date")
NO_SERIAL = gettext_noop("the serial number is missing")
LONG_SERIAL = gettext_noop("the serial number is longer than %(max)s characters")
BAD_DATE = gettext_noop("the date %(date)s is not a date written YYYY-MM-DD, such as 2026-03-05")


# --- who may, and their files --------------------------------------------------------------------------


def batch_entities(user: Any) -> QuerySet[Entity]:
    """The entities where ``user`` is an auditor: whom the files they upload belong to."""
    return entities_of(user, roles=BATCH_ROLES).order_by("code")


def batches_of(user: Any) -> QuerySet[VerificationBatch]:
    """The files of the entities where the user is an auditor, newest first."""
    return (
        VerificationBatch.objects.filter(entity__in=entities_of(user, roles=BATCH_ROLES))
        .select_related("entity", "uploaded_by")
        .order_by("-created_at")
    )


# --- the upload ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    sha256: str
    rows: int  # lines holding something, the header included: what the progress bar counts towards


def batch_scan(handle: IO[bytes]) -> Scan:
    """Read an uploaded file once, in chunks, and refuse by its content (translated, changing
    nothing) one that is too large, not text, not UTF-8 (naming the line) or without any row."""
    digest, size, check, rows = hashlib.sha256(), 0, Utf8Check(), 0
    handle.seek(0)
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        check_size(size, max_bytes=MAX_FILE_BYTES)
        if b"\x00" in chunk:
            raise ValidationError(_("The file is not a CSV text file."), code="not_csv")
        if found := check.feed(chunk):
            raise found.error()
        digest.update(chunk)
        rows += sum(1 for line in chunk.split(b"\n") if line.strip())
    if found := check.end():
        raise found.error()
    handle.seek(0)
    if rows == 0 or (rows == 1 and _header_only(handle)):
        raise empty_error()
    handle.seek(0)
    return Scan(sha256=digest.hexdigest(), rows=rows)


def _header_only(handle: IO[bytes]) -> bool:
    first = handle.read(4096).decode("utf-8-sig", errors="replace").strip().splitlines()[:1]
    return bool(first) and _is_header(next(csv.reader(first), []))


def _is_header(cells: list[str]) -> bool:
    return [cell.strip().lower() for cell in cells if cell.strip()] == HEADER


def batch_upload(
    *, entity: Entity, name: str, source: IO[bytes], actor: User, request: HttpRequest | None = None
) -> VerificationBatch:
    """Store an auditor's file and queue its check (a task on the bulk queue, on commit)."""
    if not batch_entities(actor).filter(pk=entity.pk).exists():
        raise PermissionDenied
    scan = batch_scan(source)
    with transaction.atomic():
        batch = VerificationBatch.objects.create(
            entity=entity,
            uploaded_by=actor,
            name=Path(name).name[:200] or f"{scan.sha256}.csv",
            sha256=scan.sha256,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=scan.rows,
        )
        batch.upload.save(f"{batch.pk}.csv", File(source), save=False)
        batch.save(update_fields=["upload"])
        audit_record(
            action="verification_batch_upload",
            actor=actor,
            entity=entity,
            target=batch,
            data={"sha256": scan.sha256, "rows": scan.rows},
            request=request,
        )
        enqueue(TASK, str(batch.pk))
    return batch


# --- reading its rows -------------------------------------------------------------------------------------


@dataclass
class Rows:
    papers: list[tuple[str, str, dt.date]] = field(default_factory=list)  # (serial, date as written, date)
    errors: list[dict[str, Any]] = field(default_factory=list)
    bad: int = 0


def _rows(text: Iterator[str]) -> Rows:
    """Every row of the file, or every bad row with its line and what is wrong with it."""
    found = Rows()
    records = CsvRecords(text)
    try:
        for line, cells in records:
            if not any(cell.strip() for cell in cells) or (line == 1 and _is_header(cells)):
                continue
            while len(cells) > 2 and not cells[-1].strip():  # a spreadsheet's empty columns
                cells = cells[:-1]
            problems = _problems(cells)
            if problems:
                found.bad += 1
                if len(found.errors) < ERRORS_KEPT:
                    found.errors.append({"line": line, "problems": problems})
            elif not found.bad:
                serial, written = cells[0].strip(), cells[1].strip()
                found.papers.append((serial, written, dt.date.fromisoformat(written)))
    except csv.Error:
        found.bad += 1
        found.errors.append({"line": records.line_num, "problems": [[gettext_noop("this line is not valid CSV"), {}]]})
    return found


def _problems(cells: list[str]) -> list[list[Any]]:
    if len(cells) != 2:
        return [[CELLS, {"count": len(cells)}]]
    serial, written = cells[0].strip(), cells[1].strip()
    problems: list[list[Any]] = []
    if not serial:
        problems.append([NO_SERIAL, {}])
    elif len(serial) > SERIAL_MAX:
        problems.append([LONG_SERIAL, {"max": SERIAL_MAX}])
    try:
        if not DAY_WRITTEN.fullmatch(written):
            raise ValueError(written)
        dt.date.fromisoformat(written)
    except ValueError:
        problems.append([BAD_DATE, {"date": written[:40]}])
    return problems


def _problem_html(msgid: str, params: dict[str, Any]) -> str:
    """One reason in the active language, what the file holds isolated in ``<bdi>`` and escaped."""
    values = {name: format_html("<bdi>{}</bdi>", value) for name, value in params.items()}
    return mark_safe(conditional_escape(_(msgid)) % values)  # noqa: S308 - the sentence and every value escaped


def error_lines(batch: VerificationBatch) -> list[tuple[int | None, str]]:
    """The stored bad rows as (line, what is wrong) in the active language, as safe HTML."""
    shown: list[tuple[int | None, str]] = [
        (item["line"], mark_safe(clauses_joined(_problem_html(msgid, params) for msgid, params in item["problems"])))  # noqa: S308 - joined escaped parts
        for item in batch.errors
    ]
    left = batch.counts.get("bad_rows", 0) - len(batch.errors)
    if left > 0:
        shown.append((None, more_bad_rows(left)))
    return shown


# --- the task's work ------------------------------------------------------------------------------------


def _progress_key(batch: VerificationBatch) -> str:
    return f"verification:batch:{batch.pk}:progress"


def batch_progress(batch: VerificationBatch) -> Progress:
    if batch.status == BatchStatus.DONE:
        return Progress("done", batch.rows_done, batch.rows_total)
    if batch.status == BatchStatus.FAILED:
        return Progress("failed", batch.rows_done, batch.rows_total)
    return progress_get(_progress_key(batch), done=0, total=batch.rows_total)


def batch_run(batch_id: Any) -> VerificationBatch | None:
    """Check a queued file (the task's work): safe to repeat, a finished file is left alone."""
    with transaction.atomic():
        batch = VerificationBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
            return batch
        batch.status = BatchStatus.RUNNING
        batch.save(update_fields=["status"])
    key = _progress_key(batch)
    progress_set(key, "reading", 0, batch.rows_total)
    try:
        with batch.upload.open("rb") as stored:
            text = io.TextIOWrapper(getattr(stored, "file", stored), encoding="utf-8-sig", newline="")
            rows = _rows(iter(text))
        if rows.bad:
            return _finish(batch, BatchStatus.FAILED, {"bad_rows": rows.bad, "rows": len(rows.papers)}, rows.errors)
        with translation.override(batch.language):
            content, counts = _answers(rows.papers, lambda done: progress_set(key, "checking", done, len(rows.papers)))
        batch.result.save(f"{batch.pk}-results.csv", ContentFile(content.encode("utf-8")), save=False)
        return _finish(batch, BatchStatus.DONE, counts, [], rows_done=len(rows.papers))
    except Exception:
        logger.exception("verification batch %s failed", batch.pk)
        _finish(batch, BatchStatus.FAILED, {"bad_rows": 0}, [{"line": None, "problems": [[INTERNAL, {}]]}])
        raise
    finally:
        progress_clear(key)


INTERNAL = gettext_noop("the file could not be checked. Try again or ask support.")


def _answers(papers: list[tuple[str, str, dt.date]], progress: Any) -> tuple[str, dict[str, int]]:
    """The results file's text (with a byte-order mark, for Excel and Arabic) and the count of each
    status, checked ``MAX_BATCH`` rows at a time."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(RESULT_HEADER)
    counts: Counter[str] = Counter()
    for start in range(0, len(papers), MAX_BATCH):
        chunk = papers[start : start + MAX_BATCH]
        checks = papers_check([(serial, day) for serial, _written, day in chunk])
        checks_count(checks)
        for (serial, written, _day), check in zip(chunk, checks, strict=True):
            facts = check_facts(check)
            counts[check.status] += 1
            issuer = facts["issuer"]
            writer.writerow(
                csv_cell(value)
                for value in (
                    serial,
                    written,
                    check.status,
                    facts["kind"] or "",
                    f"{issuer['name']} ({issuer['code']})" if issuer else "",
                    facts["issued_on"] or "",
                    facts["revoked_on"] or "",
                    facts["revocation_reason"] or "",
                )
            )
        progress(start + len(chunk))
    return out.getvalue(), {**counts, "rows": len(papers)}


def _finish(
    batch: VerificationBatch, status: str, counts: dict[str, int], errors: list[dict[str, Any]], rows_done: int = 0
) -> VerificationBatch:
    with transaction.atomic():
        current = VerificationBatch.objects.select_for_update().get(pk=batch.pk)
        current.status, current.counts, current.errors = status, counts, errors
        current.rows_done, current.finished_at = rows_done, timezone.now()
        if status == BatchStatus.DONE:
            current.rows_total = rows_done  # the rows answered (the header and blank lines are not)
        if batch.result:
            current.result = batch.result
        current.save(update_fields=["status", "counts", "errors", "rows_done", "rows_total", "finished_at", "result"])
    return current
