"""Reading the legacy loans file and checking its rows, in batches."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govportal.accounts.validators import normalize_digits
from govportal.entities.models import Entity
from govportal.importing import EMPTY, BadByte, CsvRecords, bad_byte
from govportal.text import items_joined
from housing_fund.importer.report import ImportReport, _every_language
from housing_fund.models import Installment, Loan
from housing_fund.services import loan_errors

COLUMNS = [
    "loan_number",
    "borrower_name",
    "national_id",
    "birth_date",
    "purpose",
    "principal",
    "admin_fee",
    "term_months",
    "start_date",
    "paid_amount",
]
BATCH = 2000  # rows looked up / inserted together
PROGRESS_EVERY = 5000
# Fields a loan's column comes from (for "differs from the loan already in the fund").
_FIGURES = {
    "borrower_name": "borrower_name",
    "national_id": "borrower_national_id",
    "birth_date": "borrower_birth_date",
    "purpose": "purpose",
    "principal": "principal",
    "admin_fee": "admin_fee",
    "term_months": "term_months",
    "start_date": "start_date",
}
_WHOLE = re.compile(r"-?[0-9]{1,15}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

ProgressCallback = Callable[[str, int, int], None]


# --- Reading and checking rows ---------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    number: str
    name: str = ""
    national_id: str = ""
    birth: dt.date | None = None
    purpose: str = ""
    principal: int | None = None
    admin_fee: int | None = None
    term: int | None = None
    start: dt.date | None = None
    paid: int | None = None
    raw: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (self.principal or 0) + (self.admin_fee or 0)

    def figures(self) -> dict[str, Any]:
        return {
            "borrower_name": self.name,
            "national_id": self.national_id,
            "birth_date": self.birth,
            "purpose": self.purpose,
            "principal": self.principal,
            "admin_fee": self.admin_fee,
            "term_months": self.term,
            "start_date": self.start,
        }


class _Unreadable(Exception):
    """The file as a whole cannot be read: the line (if one) and why, in every language of the site."""

    def __init__(self, line: int | None, messages: dict[str, list[str]]) -> None:
        super().__init__(line)
        self.line, self.messages = line, messages


def _open_text(source: str | Path | IO[bytes]) -> Any:
    if isinstance(source, str | Path):
        return Path(source).open(newline="", encoding="utf-8-sig")
    source.seek(0)
    return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")


@contextmanager
def _reader(source: str | Path | IO[bytes]) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(line, cells) of every row after the header, each on the line where it starts;
    ``_Unreadable`` when the file is not UTF-8 text, not CSV, not ours (its header) or empty."""
    handle = _open_text(source)
    records = CsvRecords(handle)
    try:
        with _readable(source, records):
            header = next(iter(records), None)
        if header is None:
            raise _Unreadable(None, _every_language(lambda: str(EMPTY)))
        if [cell.strip() for cell in header[1]] != COLUMNS:
            raise _Unreadable(
                1,
                _every_language(
                    lambda: _("the first line must name the columns %(columns)s") % {"columns": ",".join(COLUMNS)}
                ),
            )

        def rows() -> Iterator[tuple[int, list[str]]]:
            with _readable(source, records):
                for line, cells in records:
                    if not any(cell.strip() for cell in cells):
                        continue  # blank line
                    yield line, [cell.strip() for cell in cells]

        yield rows()
    finally:
        if isinstance(handle, io.TextIOWrapper) and not isinstance(source, str | Path):
            handle.detach()  # leave the caller's binary file open
        else:
            handle.close()


@contextmanager
def _readable(source: str | Path | IO[bytes], records: CsvRecords) -> Iterator[None]:
    """Reading errors as ``_Unreadable``, naming the line of the first byte that is not UTF-8
    (the decoder reads ahead: the file is read again to find it) or where CSV gave up."""
    try:
        yield
    except UnicodeDecodeError:
        found = bad_byte(source) or BadByte(1, 1)
        raise _Unreadable(found.line, _every_language(found.reason)) from None
    except csv.Error as error:
        detail = str(error)[:100]
        raise _Unreadable(
            records.line_num,
            _every_language(lambda: _("the file cannot be read as CSV from here on (%(detail)s)") % {"detail": detail}),
        ) from None


def _whole(text: str) -> int | None:
    return int(text) if _WHOLE.fullmatch(text) else None


def _date(text: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse(line: int, cells: list[str]) -> _Row:
    if len(cells) != len(COLUMNS):
        return _Row(line=line, number=cells[0] if cells else "", raw=cells)
    number, name, national_id, birth, purpose, principal, fee, term, start, paid = cells
    return _Row(
        line=line,
        number=number,
        name=name,
        national_id=normalize_digits(national_id),
        birth=_date(birth),
        purpose=purpose,
        principal=_whole(principal),
        admin_fee=_whole(fee),
        term=_whole(term),
        start=_date(start),
        paid=_whole(paid),
        raw=cells,
    )


def _problems(row: _Row, *, today: dt.date, first_line: int | None, existing: dict[str, Any] | None) -> list[str]:
    """Every reason the row is refused, in the active language (empty: the row is good)."""
    if len(row.raw) != len(COLUMNS):
        return [
            _("the row has %(found)d columns instead of %(expected)d")
            % {"found": len(row.raw), "expected": len(COLUMNS)}
        ]
    problems: list[str] = []
    if not row.name or len(row.name) > 200:
        problems.append(_("borrower_name is missing or longer than 200 characters"))
    for column, value in (("principal", row.principal), ("admin_fee", row.admin_fee), ("term_months", row.term)):
        if value is None:
            problems.append(_("%(column)s must be a whole number") % {"column": column})
    figures_ok = False
    if None not in (row.principal, row.admin_fee, row.term):
        shared = loan_errors(
            number=row.number, national_id=row.national_id, purpose=row.purpose,
            principal=row.principal, admin_fee=row.admin_fee, term_months=row.term,  # type: ignore[arg-type]
        )  # fmt: skip
        problems.extend(shared.values())
        figures_ok = "principal" not in shared and "admin_fee" not in shared
    else:  # the shared rules that do not need the figures
        problems.extend(
            message
            for key, message in loan_errors(
                number=row.number, national_id=row.national_id, purpose=row.purpose, principal=1, admin_fee=0,
                term_months=1,
            ).items()
            if key in ("number", "borrower_national_id", "purpose")
        )  # fmt: skip
    if row.birth is None:
        problems.append(_("birth_date must be a date written YYYY-MM-DD"))
    elif row.birth > today:
        problems.append(_("birth_date is in the future"))
    if row.start is None:
        problems.append(_("start_date must be a date written YYYY-MM-DD"))
    elif row.birth is not None and row.start <= row.birth:
        problems.append(_("start_date must come after birth_date"))
    elif row.start > today + dt.timedelta(days=366):
        problems.append(_("start_date is more than a year from now"))
    if row.paid is None:
        problems.append(_("paid_amount must be a whole number"))
    elif figures_ok and not 0 <= row.paid <= row.total:
        problems.append(
            _("paid_amount must be between 0 and principal + admin_fee (%(total)s)") % {"total": f"{row.total:,}"}
        )
    if first_line is not None:
        problems.append(_("loan number %(number)s repeats line %(line)d") % {"number": row.number, "line": first_line})
    elif existing is not None:
        different = _differences(row, existing)
        if different:
            problems.append(
                _("loan %(number)s is already in the fund with other figures (%(columns)s)")
                % {"number": row.number, "columns": items_joined(different)}
            )
    return problems


def _differences(row: _Row, existing: dict[str, Any]) -> list[str]:
    """The columns in which a row differs from the loan the fund already holds under its number."""
    figures = row.figures()
    different = [column for column, name in _FIGURES.items() if figures[column] != existing[name]]
    if row.paid != existing["legacy_paid"]:
        different.append("paid_amount")
    if existing["branch_id"] != existing["expected_branch"]:
        different.append(_("branch"))
    return different


def _existing(numbers: list[str], branch: Entity) -> dict[str, dict[str, Any]]:
    """The loans already in the fund under these numbers, with what was carried over onto them."""
    found = {
        row["number"]: {**row, "legacy_paid": 0, "expected_branch": branch.pk}
        for row in Loan.objects.filter(number__in=numbers).values("id", "number", "branch_id", *_FIGURES.values())
    }
    if found:
        by_id = {row["id"]: row for row in found.values()}
        legacy = (
            Installment.objects.filter(loan_id__in=list(by_id), legacy_paid__gt=0)
            .values("loan_id")
            .annotate(total=Sum("legacy_paid"))
            .order_by()
        )
        for item in legacy:
            by_id[item["loan_id"]]["legacy_paid"] = int(item["total"])
    return found


def _messages(
    row: _Row, *, today: dt.date, first_line: int | None, existing: dict[str, Any] | None
) -> dict[str, list[str]]:
    """A bad row's reasons in every language of the site (the pages show the reader's)."""
    messages = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            messages[language] = _problems(row, today=today, first_line=first_line, existing=existing)
    return messages


def _check_batch(
    batch: list[_Row], *, branch: Entity, seen: dict[str, int], today: dt.date, report: ImportReport
) -> list[_Row]:
    """Check rows (the file's earlier numbers in ``seen``); returns the good rows not yet in the fund."""
    present = _existing([row.number for row in batch if row.number], branch)
    new = []
    for row in batch:
        first_line = seen.get(row.number) if row.number else None
        if row.number and first_line is None:
            seen[row.number] = row.line
        existing = present.get(row.number) if first_line is None else None
        if _problems(row, today=today, first_line=first_line, existing=existing):
            report.refuse(row.line, row.number, _messages(row, today=today, first_line=first_line, existing=existing))
        elif existing is not None:
            report.skipped += 1
        else:
            new.append(row)
    return new


def _good_rows(
    source: str | Path | IO[bytes], *, branch: Entity, report: ImportReport, progress: ProgressCallback, total: int
) -> Iterator[list[_Row]]:
    """Read and check the file, yielding batches of the rows to import (only worth writing when
    the report is still ok at the end). No query runs while the caller handles a batch."""
    today = timezone.localdate()
    seen: dict[str, int] = {}
    batch: list[_Row] = []
    with _reader(source) as rows:
        for line, cells in rows:
            report.rows += 1
            batch.append(_parse(line, cells))
            if len(batch) >= BATCH:
                yield _check_batch(batch, branch=branch, seen=seen, today=today, report=report)
                batch = []
            if report.rows % PROGRESS_EVERY == 0:
                progress("checking", report.rows, max(total, report.rows))
        yield _check_batch(batch, branch=branch, seen=seen, today=today, report=report)
