"""Reading a stored settlement file: every row checked, the good ones sent to a staging table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext_lazy

from collection.models import SettlementFile
from collection.reconciliation.formats import COMMON_COLUMNS, FORMATS, ROW_PROBLEMS, SettlementFormat
from collection.reconciliation.progress import progress_set
from govportal.importing import EMPTY, NOT_UTF8, BadByte, CsvRecords, bad_byte, more_bad_rows

# The columns of each provider's settlement file, in order (``formats``).
SETTLEMENT_FORMATS: dict[str, list[str]] = {provider: f.columns for provider, f in FORMATS.items()}


MAX_ERRORS = 1000  # bad rows kept with their reasons; beyond that only their number


PROGRESS_EVERY = 25_000  # rows between two progress reports


BATCH = 5_000  # rows per insert on SQLite

# Why a row (or the file) was refused: codes stored with the file, words chosen at display time.
PROBLEMS: dict[str, Any] = {
    "columns": gettext_lazy("the row has %(found)d columns instead of %(expected)d"),
    **ROW_PROBLEMS,
    "header": gettext_lazy("the first line must name the columns %(columns)s"),
    "not_utf8": NOT_UTF8,
    "encoding": gettext_lazy("the file is not UTF-8 text from here on"),  # files refused before 2026-12
    "unreadable": gettext_lazy("the file cannot be read as CSV from here on (%(detail)s)"),
    "empty": EMPTY,
    "internal": gettext_lazy("the file could not be reconciled; nothing was changed. Try again or ask support."),
}


@dataclass
class Read:
    rows: int = 0
    bad_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    copied: bool = False  # taken by COPY as a whole (PostgreSQL), not read row by row
    refused: bool = False  # the file as a whole (not UTF-8, not CSV, not the provider's, no rows)
    repeats: list[tuple[int, int]] | None = None  # (line, 1 if by transaction ID else 0), when already found

    @property
    def ok(self) -> bool:
        return not self.bad_rows and not self.refused

    def refuse(self, line: int, codes: list[str], **params: Any) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "codes": codes, **params})

    def refuse_file(self, line: int | None, codes: list[str], **params: Any) -> None:
        """The file as a whole cannot be reconciled: that alone is reported, not its rows."""
        self.refused, self.rows, self.bad_rows = True, 0, 0
        self.errors = [{"line": line, "codes": codes, **params}]

    def error_list(self) -> list[dict[str, Any]]:
        hidden = self.bad_rows - len(self.errors)
        return self.errors + ([{"line": None, "codes": ["more"], "count": hidden}] if hidden > 0 else [])


def read_rows(settlement: SettlementFile, stage: Stage) -> Read:
    """Check every row of the stored file; good rows go to ``stage`` (as the common staging row,
    ``formats.base``) until the first bad one.

    Each row's line is the one where it starts. A file that cannot be read as a whole is refused
    for that alone (``Read.refuse_file``): a byte that is not UTF-8 (its own line: the decoder
    reads ahead, so the file is read again to find it), CSV that cannot be parsed, another
    header, no rows."""
    fmt = FORMATS[settlement.provider]
    columns, account, staged_row, problems = fmt.columns, settlement.account, fmt.row, fmt.problems
    report = Read()
    total = max(settlement.rows_total, 1)
    sqlite = connection.vendor == "sqlite"
    with settlement.upload.open("rb") as stored:
        text = io.TextIOWrapper(getattr(stored, "file", stored), encoding="utf-8-sig", newline="")
        records = CsvRecords(text)
        try:
            rows = iter(records)
            header = next(rows, None)
            if header is None:
                report.refuse_file(None, ["empty"])
                return report
            if header[1] != columns:
                report.refuse_file(1, ["header"], columns=",".join(columns))
                return report
            for line, row in rows:
                report.rows += 1
                staged = staged_row(row, account)
                if staged is None:
                    report.refuse(line, problems(row, account), found=len(row), expected=len(columns), account=account)
                    continue
                when = staged[5]
                if report.first is None or when < report.first:
                    report.first = when
                if report.last is None or when > report.last:
                    report.last = when
                if not report.bad_rows:
                    # SQLite keeps datetimes as naive UTC text, the way Django writes them.
                    stamp = when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") if sqlite else when
                    stage.add((line, *staged[:5], stamp, *staged[6:]))
                if report.rows % PROGRESS_EVERY == 0:
                    progress_set(settlement, "reading", min(report.rows, total), total)
        except UnicodeDecodeError:
            with settlement.upload.storage.open(str(settlement.upload.name), "rb") as again:
                found = bad_byte(getattr(again, "file", again)) or BadByte(1, 1)
            report.refuse_file(found.line, ["not_utf8"], column=found.column)
        except csv.Error as error:
            report.refuse_file(records.line_num, ["unreadable"], detail=str(error)[:100])
    if report.ok and not report.rows:
        report.refuse_file(None, ["empty"])
    return report


STAGE_COLUMNS = "line, " + ", ".join(COMMON_COLUMNS)

COPY_CHUNK = 1024 * 1024

# A raw row PostgreSQL may take as it is (each format's ``plain_sql``): plainly good by the checks
# of ``read_rows``, in their usual form (amounts without leading zeros, IQD, times in one form).
# Each value must come back unchanged from its type, which refuses what a cast alone would
# forgive; a value a cast refuses raises. Unquoted empty fields arrive as NULL, so the whole must
# be true, not merely not false. Cheap string and cast checks, not regular expressions:
# PostgreSQL's take seconds on a million rows.


def copy_file(settlement: SettlementFile, stage: Stage, *, report: bool = True) -> bool:
    """PostgreSQL's fast path: the file goes into ``stage`` as it is, by COPY (``report``: the
    progress of the upload to the database, for the pages).

    False, with nothing copied, when the header is not exactly the provider's. Anything
    PostgreSQL's CSV reader refuses raises; the caller's savepoint then takes the file to
    ``read_rows``. Whether every row is plainly good is ``plain_read``'s question.
    """
    if not stage.raw:  # a format always read row by row
        return False
    columns = stage.format.columns
    total = max(settlement.rows_total, 1)
    storage, name = settlement.upload.storage, str(settlement.upload.name)
    # A handle of its own (not the field's, which FileCheck's thread would share).
    with storage.open(name, "rb") as stored:
        opening = stored.read(COPY_CHUNK)
        header, _newline, rest = opening.removeprefix(b"\xef\xbb\xbf").partition(b"\n")
        header = header.removesuffix(b"\r")
        try:
            if b"\r" in header or next(csv.reader([header.decode("utf-8")]), None) != columns:
                return False
        except (UnicodeDecodeError, csv.Error):
            return False
        sent, size = len(opening), max(storage.size(name), 1)
        shown, step = 0, max(size // 20, 1)  # the page's bar moves by 5%: a cache write each
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {stage.name} ({stage.file_columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(rest)
                while chunk := stored.read(COPY_CHUNK):
                    copy.write(chunk)
                    sent += len(chunk)
                    if report and sent - shown >= step:
                        shown = sent
                        progress_set(settlement, "reading", min(total * sent // size, total), total)
    return True


def plain_read(settlement: SettlementFile, stage: Stage) -> Read | None:
    """Whether every row ``copy_file`` staged is plainly good, in one statement; None if not.

    Not plainly good: a row outside the format's ``plain_sql``, or fewer or more rows than the
    file has lines (a record spanning lines, an end-of-data marker). ``read_rows`` then reads the
    file row by row and says what is wrong, so both paths accept and refuse the same files and
    store the same values. A value a cast refuses raises.
    """
    fmt, time = stage.format, stage.format.time_column
    params = [settlement.account] * fmt.plain_sql.count("%s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE ({fmt.plain_sql}) IS NOT TRUE),
                       min({time} COLLATE "C"), max({time} COLLATE "C")
                FROM {stage.name}""",  # noqa: S608 — SQL of the code, the account as a parameter
            params,
        )
        rows, bad, first_at, last_at = cursor.fetchone() or (0, 0, None, None)
    if bad or not rows or rows != settlement.rows_total:  # no rows: read_rows refuses the file as empty
        return None
    # Every time is in the one form, so the first and last in text order are the earliest and latest.
    first, last = (fmt.raw_time(at) if at else None for at in (first_at, last_at))
    return Read(rows=rows, first=first, last=last, copied=True)


def repeats_sql(stage: Stage) -> str:
    """The staged lines that repeat an earlier line's transaction (``by_txn`` 1) or payment
    reference: each value's lines side by side, sorted by a 64-bit hash of the value first
    (cheaper to compare than the text, and the text next keeps a collision apart)."""

    def repeating(column: str) -> str:
        key = f"hashtextextended({column}, 0), {column}" if stage.postgres else column
        return f"""SELECT line FROM (SELECT line, {column} = lag({column}) OVER (ORDER BY {key}, line) AS again
                                     FROM {stage.name}) r WHERE again"""  # noqa: S608 — names from the code

    by_txn, by_payment = repeating(stage.txn_sql), repeating(stage.ref_sql)
    return f"SELECT line, 1 AS by_txn FROM ({by_txn}) t UNION ALL SELECT line, 0 FROM ({by_payment}) p"  # noqa: S608


def check_file(settlement: SettlementFile) -> Read | None:
    """The file's own checks, on this thread's own database connection: COPY into its own
    staging table, every row checked (``plain_read``), the repeated lines found. None when the
    file is not plainly good (or the database refused it)."""
    try:
        temp_buffers_roomy()
        with transaction.atomic():
            work_mem_roomy()
            with Stage(FORMATS[settlement.provider], raw=True, analyze=False) as own:
                if not copy_file(settlement, own, report=False):
                    return None
            read = plain_read(settlement, own)
            if read is not None:
                with connection.cursor() as cursor:
                    cursor.execute(repeats_sql(own))
                    read.repeats = cursor.fetchall()
            own.drop()
            return read
    except (DatabaseError, psycopg.Error):
        return None
    finally:
        connection.close()


class FileCheck:
    """``check_file`` on a thread of its own, beside the reconciliation's connection.

    A file's own checks (every value in its usual form, no line repeated) do not depend on our
    payments, so a second connection runs them while the first copies and matches: on
    PostgreSQL each connection has its own process, and the two keep two cores busy.
    """

    def __init__(self, settlement: SettlementFile) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="settlement-check")
        self._future = self._pool.submit(check_file, settlement)

    def result(self) -> Read | None:
        """Wait for the checks (again: the same answer)."""
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()


def work_mem_roomy() -> None:
    """For the rest of the caller's transaction: room to sort and hash a million rows in memory
    (the default 4 MB sends them to disk), and no JIT, whose compiling costs more than it saves
    on these few one-off statements."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")


def temp_buffers_roomy() -> None:
    """512 MB for this connection's temporary tables, taken only as used: a million lines, staged
    (120 MB) and judged (150 MB), stay in memory, where PostgreSQL's default of 8 MB sends them
    through the file system. PostgreSQL allows the change only before the connection's first
    temporary table: after that the default stays."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET temp_buffers = '512MB'")
    except DatabaseError:
        pass


class Stage:
    """A temporary table of the file's good rows. On PostgreSQL, all text until matching casts
    them: the file's own columns as it is (``raw``, filled by ``copy_file``), or the common
    staging row (``read_rows``, by COPY). On SQLite, the common row typed, batched inserts."""

    def __init__(self, fmt: SettlementFormat, *, raw: bool = False, analyze: bool = True) -> None:
        self.format = fmt
        self.postgres = connection.vendor == "postgresql"
        self.raw = raw and self.postgres and fmt.raw_columns is not None
        self.analyze = analyze  # for the planner of a join; checks and sorts need no statistics
        self.name = "pg_temp.settlement_stage" if self.postgres else "temp.settlement_stage"
        self.file_columns = ", ".join(fmt.raw_columns if self.raw and fmt.raw_columns else COMMON_COLUMNS)
        self.txn_sql, self.ref_sql = (fmt.txn_sql, fmt.ref_sql) if self.raw else ("txn_id", "payment_ref")
        self.batch: list[tuple[Any, ...]] = []
        self._copy: Any = None

    def __enter__(self) -> Stage:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")  # noqa: S608 — a fixed name
            if self.postgres:
                # A line is its record's number plus one (the header), when the file's rows come
                # by COPY; read_rows gives each its line.
                texts = ", ".join(f"{column} text" for column in self.file_columns.split(", "))
                cursor.execute(
                    "CREATE TEMPORARY TABLE settlement_stage (line integer GENERATED BY DEFAULT AS IDENTITY"
                    f" (START WITH 2), {texts}) ON COMMIT DROP"
                )
            else:
                cursor.execute(
                    "CREATE TEMPORARY TABLE settlement_stage (line integer, txn_id text, payment_ref text, "
                    "amount integer, currency text, status text, settled_at text, card_last4 text, fee integer)"
                )
        return self

    def add(self, row: tuple[Any, ...]) -> None:
        if self.postgres:
            if self._copy is None:
                self._cursor = connection.cursor()
                self._copy_manager = self._cursor.cursor.copy(f"COPY {self.name} ({STAGE_COLUMNS}) FROM STDIN")  # noqa: S608
                self._copy = self._copy_manager.__enter__()
            self._copy.write_row(row)
            return
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.name} ({STAGE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                    self.batch,
                )
            self.batch = []

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if self._copy is not None:
            self._copy_manager.__exit__(kind, error, trace)
            self._cursor.close()
            self._copy = None
        elif not self.postgres and kind is None:
            self._flush()
        if self.postgres and self.analyze and kind is None:
            with connection.cursor() as cursor:
                # The planner needs the table's size and how the columns that find payments spread.
                keys = ", ".join(self.format.key_columns) if self.raw else "payment_ref"
                cursor.execute(f"ANALYZE {self.name} ({keys})")  # noqa: S608 — names of the code

    def typed_columns(self) -> str:
        """The staged columns as matching reads them, the common staging row (``st`` is the staging table)."""
        if not self.postgres:
            return f"st.{STAGE_COLUMNS.replace(', ', ', st.')}"
        if self.raw:
            return self.format.common_sql
        return (
            "st.line, st.txn_id, st.payment_ref, st.amount::bigint AS amount, st.currency, st.status,"
            " st.settled_at::timestamptz AS settled_at, coalesce(st.card_last4, '') AS card_last4,"
            " st.fee::bigint AS fee"
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")  # noqa: S608 — a fixed name


# Problems of the file as a whole, not of one of its rows.
FILE_PROBLEMS = {"header", "not_utf8", "encoding", "unreadable", "empty", "internal"}


def bad_rows_of(errors: list[dict[str, Any]]) -> int:
    """How many bad rows a failed file's stored problems count (0: the file as a whole was refused)."""
    return sum(item.get("count", 1) for item in errors if not FILE_PROBLEMS & set(item.get("codes", [])))


def error_messages(errors: list[dict[str, Any]]) -> list[tuple[int | None, list[str]]]:
    """The stored problems of a failed file as (line, messages) in the active language."""
    shown = []
    for item in errors:
        params = {key: value for key, value in item.items() if key not in ("line", "codes")}
        shown.append(
            (
                item.get("line"),
                [
                    more_bad_rows(params["count"]) if code == "more" else str(PROBLEMS.get(code, code)) % params
                    for code in item.get("codes", [])
                ],
            )
        )
    return shown
