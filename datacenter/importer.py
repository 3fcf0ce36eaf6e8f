"""Import of certificates issued before the portal (the ~170,000 of the legacy system).

Two streaming passes over the file: the first checks every row and reports every problem
(line and reason) without writing anything; only when there is none, the second signs and
inserts all rows in one transaction, in batches. Serials already in the register are
skipped, so running the same file again changes nothing. A file that cannot be read as a whole
(not UTF-8 text, not CSV, without the columns, without rows) is refused for that alone, naming
its line (``govportal.importing``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datacenter.constants import CERTIFICATE_REGISTER, DocumentType, Outcome
from datacenter.models import Certificate
from datacenter.services import certificate_sign
from govportal.accounts.validators import normalize_digits, validate_national_id
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.importing import EMPTY, BadByte, CsvRecords, bad_byte
from govportal.numbering.models import Counter
from govportal.text import items_joined
from govportal.verification.models import Artifact
from govportal.verification.services import Signer

COLUMNS = [
    "serial",
    "issuing_entity",
    "requesting_entity",
    "document_type",
    "document_number",
    "document_date",
    "holder_name",
    "holder_national_id",
    "outcome",
    "reason",
    "issued_at",
]
BATCH = 2000


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already_present: int = 0
    bad_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, line: int, serial: str, problems: list[str]) -> None:
        self.bad_rows += 1
        self.errors.append({"line": line, "serial": serial, "errors": problems})

    def refuse_file(self, line: int | None, reason: str) -> None:
        """The file as a whole cannot be imported: that alone is reported, not its rows."""
        self.rows = self.bad_rows = 0
        self.errors = [{"line": line, "serial": "", "errors": [reason]}]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "imported": self.imported,
            "already_present": self.already_present,
            "bad_rows": self.bad_rows,
            "errors": self.errors,
        }


def _rows(path: Path, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of every row after the header, blank lines left out. A file that cannot be
    read as a whole (not UTF-8, not CSV, without our columns or without rows) is refused in
    ``report`` and yields nothing more."""
    count = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        records = CsvRecords(handle)
        try:
            rows = iter(records)
            first = next(rows, None)
            if first is None:  # not even a header
                report.refuse_file(None, str(EMPTY))
                return
            header = [name.strip() for name in first[1]]
            missing = [column for column in COLUMNS if column not in header]
            if missing:
                report.refuse_file(
                    1, _("The file's header lacks these columns: %(columns)s.") % {"columns": items_joined(missing)}
                )
                return
            for line, cells in rows:
                if not any(cell.strip() for cell in cells):
                    continue
                count += 1
                yield (
                    line,
                    {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(header) if name},
                )
        except UnicodeDecodeError:
            found = bad_byte(path) or BadByte(1, 1)
            report.refuse_file(found.line, found.reason())
            return
        except csv.Error as error:
            detail = str(error)[:100]
            report.refuse_file(
                records.line_num, _("the file cannot be read as CSV from here on (%(detail)s)") % {"detail": detail}
            )
            return
    if not count and report.ok:
        report.refuse_file(None, str(EMPTY))


def _parse_issued_at(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _check(row: dict[str, str], entities: dict[str, Entity]) -> list[str]:
    problems = []
    if not row["serial"] or len(row["serial"]) > 64:
        problems.append(_("serial is missing or longer than 64 characters"))
    if row["issuing_entity"] not in entities:
        problems.append(_("unknown issuing entity %(code)s") % {"code": row["issuing_entity"] or "—"})
    if row["requesting_entity"] and row["requesting_entity"] not in entities:
        problems.append(_("unknown requesting entity %(code)s") % {"code": row["requesting_entity"]})
    if row["document_type"] not in DocumentType.values:
        problems.append(_("document type must be one of %(values)s") % {"values": items_joined(DocumentType.values)})
    if not row["document_number"]:
        problems.append(_("document number is missing"))
    try:
        dt.date.fromisoformat(row["document_date"])
    except ValueError:
        problems.append(_("document date must be written YYYY-MM-DD"))
    if not row["holder_name"]:
        problems.append(_("holder's name is missing"))
    try:
        validate_national_id(normalize_digits(row["holder_national_id"]))
    except ValidationError as error:
        problems.extend(str(message) for message in error.messages)
    if row["outcome"] not in Outcome.values:
        problems.append(_("answer must be one of %(values)s") % {"values": items_joined(Outcome.values)})
    elif row["outcome"] == Outcome.NOT_CONFIRMED and not row["reason"]:
        problems.append(_("a reason is required when the document is not confirmed"))
    try:
        if _parse_issued_at(row["issued_at"]) > timezone.now():
            problems.append(_("date of issue is in the future"))
    except ValueError:
        problems.append(_("date of issue must be written YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
    return problems


def _existing(serials: list[str]) -> set[str]:
    return set(Certificate.objects.filter(serial__in=serials).values_list("serial", flat=True))


def certificates_check(path: Path, report: ImportReport) -> set[str]:
    """First pass: every problem of every row; returns the serials already in the register."""
    entities = {entity.code: entity for entity in Entity.objects.all()}
    seen: dict[str, int] = {}
    present: set[str] = set()
    pending: list[str] = []
    for line, row in _rows(path, report):
        report.rows += 1
        problems = _check(row, entities)
        if row["serial"] in seen:
            problems.append(_("serial repeats line %(line)d") % {"line": seen[row["serial"]]})
        seen.setdefault(row["serial"], line)
        if problems:
            report.refuse(line, row["serial"], problems)
        pending.append(row["serial"])
        if len(pending) >= BATCH:
            present |= _existing(pending)
            pending = []
    present |= _existing(pending)
    if not report.ok:
        return set()
    report.already_present = len(present)
    return present


def _build(row: dict[str, str], entities: dict[str, Entity]) -> Certificate:
    requesting = entities.get(row["requesting_entity"]) if row["requesting_entity"] else None
    return Certificate(
        serial=row["serial"],
        issuing_entity=entities[row["issuing_entity"]],
        requesting_entity=requesting,
        outcome=row["outcome"],
        reason=row["reason"] if row["outcome"] == Outcome.NOT_CONFIRMED else "",
        document_type=row["document_type"],
        document_number=row["document_number"],
        document_date=dt.date.fromisoformat(row["document_date"]),
        holder_name=row["holder_name"],
        holder_national_id=normalize_digits(row["holder_national_id"]),
        issued_at=_parse_issued_at(row["issued_at"]),
        legacy=True,
    )


def _insert(model: type[models.Model], objects: list[Any]) -> None:
    """Insert unsaved ``objects`` in bulk: COPY on PostgreSQL, ``bulk_create`` elsewhere.

    COPY skips the ORM's SQL compilation: 170,000 rows took 39 s with ``bulk_create`` and 26-30 s
    with COPY on 2 cores (bench/import_certificates.py). Values go through each field's
    ``pre_save``/``get_db_prep_save``, as with ``bulk_create``; neither sends signals.
    """
    connection = connections[router.db_for_write(model) or DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])


def _flush(certificates: list[Certificate], artifacts: list[Artifact]) -> None:
    _insert(Artifact, artifacts)
    _insert(Certificate, certificates)
    certificates.clear()
    artifacts.clear()


def _raise_counters(highest: dict[tuple[int, int], int]) -> None:
    """Legacy serials in our own format reserve their numbers: new serials continue after them."""
    for (entity_id, year), number in highest.items():
        Counter.objects.bulk_create(
            [Counter(entity_id=entity_id, register=CERTIFICATE_REGISTER, year=year)], ignore_conflicts=True
        )
        Counter.objects.filter(entity_id=entity_id, register=CERTIFICATE_REGISTER, year=year, value__lt=number).update(
            value=number
        )


def certificates_import(path: Path, *, actor: Any = None) -> ImportReport:
    report = ImportReport()
    present = certificates_check(path, report)
    if not report.ok:
        return report
    entities = {entity.code: entity for entity in Entity.objects.all()}
    signers: dict[str, Signer] = {}
    own_format = re.compile(r"^(?P<code>[A-Z0-9-]+)-(?P<year>\d{4})-(?P<number>\d+)$")
    highest: dict[tuple[int, int], int] = {}
    certificates: list[Certificate] = []
    artifacts: list[Artifact] = []
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        for _line, row in _rows(path, report):
            if row["serial"] in present:
                continue
            certificate = _build(row, entities)
            code = row["issuing_entity"]
            signer = signers.get(code) or signers.setdefault(code, Signer(entities[code], index_block=BATCH))
            artifact = certificate_sign(certificate, signer)
            certificate.artifact = artifact
            certificates.append(certificate)
            artifacts.append(artifact)
            match = own_format.match(certificate.serial)
            if match and match["code"] == code:
                key = (certificate.issuing_entity.pk, int(match["year"]))
                highest[key] = max(highest.get(key, 0), int(match["number"]))
            report.imported += 1
            if len(certificates) >= BATCH:
                _flush(certificates, artifacts)
        _flush(certificates, artifacts)
        _raise_counters(highest)
        audit_record(
            action="certificate_import",
            actor=actor,
            data={"file_sha256": digest, "imported": report.imported, "already_present": report.already_present},
        )
    return report
