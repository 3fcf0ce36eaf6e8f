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

from collection.constants import Provider
from collection.models import SettlementFile
from collection.providers.sandbox import SETTLEMENT_COLUMNS
from collection.reconciliation.progress import progress_set
from govportal.importing import EMPTY, NOT_UTF8, BadByte, CsvRecords, bad_byte, more_bad_rows

# The columns of each provider's settlement file, in order. Only the sandbox's format is known.
SETTLEMENT_FORMATS: dict[str, list[str]] = {Provider.SANDBOX: SETTLEMENT_COLUMNS}


MAX_ERRORS = 1000  # bad rows kept with their reasons; beyond that only their number


PROGRESS_EVERY = 25_000  # rows between two progress reports


BATCH = 5_000  # rows per insert on SQLite

# Why a row (or the file) was refused: codes stored with the file, words chosen at display time.
PROBLEMS: dict[str, Any] = {
    "columns": gettext_lazy("the row has %(found)d columns instead of %(expected)d"),
    "txn_id": gettext_lazy("txn_id is missing or longer than 80 characters"),
    "payment_ref": gettext_lazy("payment_ref is missing or longer than 80 characters"),
    "amount": gettext_lazy("amount must be a whole number of dinars, 0 or more"),
    "currency": gettext_lazy("currency must be 3 capital letters, such as IQD"),
    "status": gettext_lazy("status is missing or longer than 20 characters"),
    "settled_at": gettext_lazy("settled_at must be a date and time in UTC, such as 2026-11-21T10:30:00Z"),
    "card_last4": gettext_lazy("card_last4 must be empty or 4 digits"),
    "fee": gettext_lazy("fee must be a whole number of dinars, 0 or more"),
    "header": gettext_lazy("the first line must name the columns %(columns)s"),
    "not_utf8": NOT_UTF8,
    "encoding": gettext_lazy("the file is not UTF-8 text from here on"),  # files refused before 2026-12
    "unreadable": gettext_lazy("the file cannot be read as CSV from here on (%(detail)s)"),
    "empty": EMPTY,
    "internal": gettext_lazy("the file could not be reconciled; nothing was changed. Try again or ask support."),
}


_ZERO = dt.timedelta(0)


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


def _row_problems(row: list[str], columns: list[str]) -> list[str]:
    """Every problem of a row the fast check refused (codes of PROBLEMS)."""
    if len(row) != len(columns):
        return ["columns"]
    txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee = row
    problems = []
    if not 0 < len(txn_id) <= 80:
        problems.append("txn_id")
    if not 0 < len(payment_ref) <= 80:
        problems.append("payment_ref")
    if not _whole(amount):
        problems.append("amount")
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
        problems.append("currency")
    if not 0 < len(status) <= 20:
        problems.append("status")
    try:
        if dt.datetime.fromisoformat(settled_at).utcoffset() != _ZERO:
            problems.append("settled_at")
    except ValueError:
        problems.append("settled_at")
    if card_last4 and not (len(card_last4) == 4 and card_last4.isascii() and card_last4.isdigit()):
        problems.append("card_last4")
    if not _whole(fee):
        problems.append("fee")
    return problems


def _whole(text: str) -> bool:
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


def read_rows(settlement: SettlementFile, stage: Stage) -> Read:
    """Check every row of the stored file; good rows go to ``stage`` until the first bad one.

    Each row's line is the one where it starts. A file that cannot be read as a whole is refused
    for that alone (``Read.refuse_file``): a byte that is not UTF-8 (its own line: the decoder
    reads ahead, so the file is read again to find it), CSV that cannot be parsed, another
    header, no rows."""
    columns = SETTLEMENT_FORMATS[settlement.provider]
    report = Read()
    total = max(settlement.rows_total, 1)
    fromiso, zero, sqlite = dt.datetime.fromisoformat, _ZERO, connection.vendor == "sqlite"
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
                # The fast path checks everything at once; a refused row is looked at again for its reasons.
                try:
                    txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee = row
                    when = fromiso(settled_at)
                    good = (
                        0 < len(txn_id) <= 80
                        and 0 < len(payment_ref) <= 80
                        and 0 < len(amount) <= 18 and amount.isascii() and amount.isdigit()
                        and len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
                        and 0 < len(status) <= 20
                        and when.utcoffset() == zero
                        and (not card_last4 or (len(card_last4) == 4 and card_last4.isascii() and card_last4.isdigit()))
                        and 0 < len(fee) <= 18 and fee.isascii() and fee.isdigit()
                    )  # fmt: skip
                except ValueError:
                    good = False
                if not good:
                    report.refuse(line, _row_problems(row, columns), found=len(row), expected=len(columns))
                    continue
                if report.first is None or when < report.first:
                    report.first = when
                if report.last is None or when > report.last:
                    report.last = when
                if not report.bad_rows:
                    # SQLite keeps datetimes as naive UTC text, the way Django writes them.
                    stamp = when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") if sqlite else when
                    stage.add((line, txn_id, payment_ref, amount, currency, status, stamp, card_last4, fee))
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


STAGE_COLUMNS = "line, txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee"
FILE_COLUMNS = STAGE_COLUMNS.removeprefix("line, ")

COPY_CHUNK = 1024 * 1024

# A row PostgreSQL may take as it is: plainly good by the checks of ``read_rows``, in their usual
# form (amounts without leading zeros, IQD, times as 2026-11-21T10:30:00Z). Each value must come
# back unchanged from its type, which refuses what a cast alone would forgive (signs, spaces,
# "1_000", "24:00:00"); a value a cast refuses raises. Unquoted empty fields arrive as NULL, so
# the whole must be true, not merely not false. Cheap string and cast checks, not regular
# expressions: PostgreSQL's take seconds on a million rows.
_PLAIN_ROW = """
    octet_length(txn_id) BETWEEN 1 AND 80
    AND octet_length(payment_ref) BETWEEN 1 AND 80
    AND octet_length(status) BETWEEN 1 AND 20
    AND amount::bigint::text = amount AND amount::bigint BETWEEN 0 AND 999999999999999999
    AND fee::bigint::text = fee AND fee::bigint BETWEEN 0 AND 999999999999999999
    AND currency = 'IQD'
    AND to_char(settled_at::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') = settled_at
    AND (coalesce(card_last4, '') = ''
         OR (card_last4::smallint BETWEEN 0 AND 9999 AND lpad(card_last4::smallint::text, 4, '0') = card_last4))
"""


def copy_file(settlement: SettlementFile, stage: Stage, *, report: bool = True) -> bool:
    """PostgreSQL's fast path: the file goes into ``stage`` as it is, by COPY (``report``: the
    progress of the upload to the database, for the pages).

    False, with nothing copied, when the header is not exactly the provider's. Anything
    PostgreSQL's CSV reader refuses raises; the caller's savepoint then takes the file to
    ``read_rows``. Whether every row is plainly good is ``plain_read``'s question.
    """
    columns = SETTLEMENT_FORMATS[settlement.provider]
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
            with cursor.cursor.copy(f"COPY {stage.name} ({FILE_COLUMNS}) FROM STDIN WITH (FORMAT csv)") as copy:
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

    Not plainly good: a row outside the checks of ``_PLAIN_ROW``, or fewer or more rows than the
    file has lines (a record spanning lines, an end-of-data marker). ``read_rows`` then reads the
    file row by row and says what is wrong, so both paths accept and refuse the same files and
    store the same values. A value a cast refuses raises.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE ({_PLAIN_ROW}) IS NOT TRUE),
                       min(settled_at COLLATE "C"), max(settled_at COLLATE "C")
                FROM {stage.name}"""  # noqa: S608 — a fixed name
        )
        rows, bad, first_at, last_at = cursor.fetchone() or (0, 0, None, None)
    if bad or not rows or rows != settlement.rows_total:  # no rows: read_rows refuses the file as empty
        return None
    # Every time is in the one form, so the first and last in text order are the earliest and latest.
    first, last = (dt.datetime.fromisoformat(at) if at else None for at in (first_at, last_at))
    return Read(rows=rows, first=first, last=last, copied=True)


def repeats_sql(stage: Stage) -> str:
    """The staged lines that repeat an earlier line's transaction (``by_txn`` 1) or payment
    reference: each value's lines side by side, sorted by a 64-bit hash of the value first
    (cheaper to compare than the text, and the text next keeps a collision apart)."""

    def repeating(column: str) -> str:
        key = f"hashtextextended({column}, 0), {column}" if stage.postgres else column
        return f"""SELECT line FROM (SELECT line, {column} = lag({column}) OVER (ORDER BY {key}, line) AS again
                                     FROM {stage.name}) r WHERE again"""  # noqa: S608 — names from the code

    by_txn, by_payment = repeating("txn_id"), repeating("payment_ref")
    return f"SELECT line, 1 AS by_txn FROM ({by_txn}) t UNION ALL SELECT line, 0 FROM ({by_payment}) p"  # noqa: S608


def check_file(settlement: SettlementFile) -> Read | None:
    """The file's own checks, on this thread's own database connection: COPY into its own
    staging table, every row checked (``plain_read``), the repeated lines found. None when the
    file is not plainly good (or the database refused it)."""
    try:
        temp_buffers_roomy()
        with transaction.atomic():
            work_mem_roomy()
            with Stage(analyze=False) as own:
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
    """A temporary table of the file's good rows, all text until matching casts them on
    PostgreSQL (``copy_file`` and ``read_rows``, by COPY); typed on SQLite, batched inserts."""

    def __init__(self, *, analyze: bool = True) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.analyze = analyze  # for the planner of a join; checks and sorts need no statistics
        self.name = "pg_temp.settlement_stage" if self.postgres else "temp.settlement_stage"
        self.batch: list[tuple[Any, ...]] = []
        self._copy: Any = None

    def __enter__(self) -> Stage:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")  # noqa: S608 — a fixed name
            if self.postgres:
                # A line is its record's number plus one (the header), when the file's rows come
                # by COPY; read_rows gives each its line.
                cursor.execute(
                    "CREATE TEMPORARY TABLE settlement_stage (line integer GENERATED BY DEFAULT AS IDENTITY"
                    " (START WITH 2), txn_id text, payment_ref text, amount text, currency text, status text,"
                    " settled_at text, card_last4 text, fee text) ON COMMIT DROP"
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
                # The planner needs the table's size and how its payment references spread.
                cursor.execute(f"ANALYZE {self.name} (payment_ref)")  # noqa: S608 — a fixed name

    def typed_columns(self) -> str:
        """The staged columns as matching reads them (``st`` is the staging table)."""
        if not self.postgres:
            return f"st.{STAGE_COLUMNS.replace(', ', ', st.')}"
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
