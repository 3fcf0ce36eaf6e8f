"""Writing the checked rows: the Python path (ORM) and the PostgreSQL path (COPY, INSERT … SELECT, bulk mode)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from govportal.entities.models import Entity
from housing_fund.constants import LoanStatus
from housing_fund.importer.reading import BATCH, ProgressCallback, _Row
from housing_fund.importer.report import ImportReport
from housing_fund.models import Installment, Loan, Schedule
from housing_fund.schedule import due_dates, installment_amounts

logger = logging.getLogger(__name__)

BULK_INSTALLMENTS = 1_000_000  # from this many new installments on, PostgreSQL loads them in bulk mode


# --- Writing ---------------------------------------------------------------------------------------


def _loan(row: _Row, branch: Entity) -> Loan:
    """An unsaved loan for a row that passed the checks (so every figure is there)."""
    assert row.birth and row.start and row.principal and row.admin_fee is not None and row.term  # noqa: S101
    return Loan(
        id=uuid.uuid4(),
        number=row.number,
        borrower_name=row.name,
        borrower_national_id=row.national_id,
        borrower_birth_date=row.birth,
        purpose=row.purpose,
        principal=row.principal,
        admin_fee=row.admin_fee,
        term_months=row.term,
        start_date=row.start,
        branch=branch,
        status=LoanStatus.SETTLED if row.paid == row.total else LoanStatus.ACTIVE,
    )


def carry_over(amounts: list[int], paid: int) -> list[int]:
    """What ``paid`` dinars pay of each installment, oldest first."""
    taken = []
    for amount in amounts:
        take = min(amount, paid)
        taken.append(take)
        paid -= take
    return taken


def _write_python(
    rows: list[_Row], *, branch: Entity, report: ImportReport, progress: ProgressCallback, total: int
) -> None:
    """Loans, schedules and installments with the ORM, ``BATCH`` loans at a time."""
    pending: list[_Row] = []

    def flush() -> None:
        loans = [_loan(row, branch) for row in pending]
        Loan.objects.bulk_create(loans)
        schedules = Schedule.objects.bulk_create(
            Schedule(loan=loan, version=1, total=loan.total) for loan in loans
        )  # primary keys come back (PostgreSQL, SQLite ≥ 3.35)
        installments = []
        for row, loan, schedule in zip(pending, loans, schedules, strict=True):
            term, start = int(row.term or 0), row.start or dt.date.min  # both checked
            amounts = installment_amounts(loan.total, term)
            paid = carry_over(amounts, row.paid or 0)
            for number, (due, amount, taken) in enumerate(zip(due_dates(start, term), amounts, paid, strict=True), 1):
                installments.append(
                    Installment(
                        schedule=schedule, loan=loan, number=number, due_date=due, amount=amount, paid=taken,
                        legacy_paid=taken,
                    )
                )  # fmt: skip
        Installment.objects.bulk_create(installments, batch_size=BATCH)
        report.imported += len(loans)
        report.installments += len(installments)
        pending.clear()
        progress("writing", report.imported, total)

    for row in rows:
        pending.append(row)
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: Any, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


STAGE = "pg_temp.housing_loan_stage"


def _stage_rows(batches: Iterator[list[_Row]], *, report: ImportReport, progress: ProgressCallback, total: int) -> int:
    """COPY the good rows into a temporary table (one COPY a batch: the checks query between
    them); returns how many installments they make."""
    installments = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE.split('.')[1]} (id uuid, number text, borrower_name text, "
            "national_id text, birth_date date, purpose text, principal bigint, admin_fee bigint, term integer, "
            "start_date date, paid bigint) ON COMMIT DROP"
        )
        columns = (
            "id, number, borrower_name, national_id, birth_date, purpose, principal, admin_fee, term, start_date, paid"
        )
        for batch in batches:
            if not report.ok or not batch:
                continue  # the file is refused: read on only to list every bad row
            with cursor.cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(
                        (uuid.uuid4(), row.number, row.name, row.national_id, row.birth, row.purpose, row.principal,
                         row.admin_fee, row.term, row.start, row.paid)
                    )  # fmt: skip
                    installments += row.term or 0
            report.imported += len(batch)
            progress("checking", report.rows, max(total, report.rows))
        cursor.execute(f"ANALYZE {STAGE}")
    return installments


def _write_sql(
    batches: Iterator[list[_Row]], *, branch: Entity, report: ImportReport, progress: ProgressCallback, total: int
) -> None:
    """The PostgreSQL path: stage with COPY, then three INSERT … SELECT.

    An installment's due date is ``start + n months``: PostgreSQL keeps the day of the month or
    clamps it to the month's last day, as ``housing_fund.schedule.add_months`` does. Its amount is
    ``installment_amounts``'s: ``total / term`` rounded down, the last one taking the remainder. What
    the legacy payments cover of installment ``n`` is what remains of ``paid`` after the ``n - 1``
    earlier ones (all equal to the base amount), kept between 0 and the installment's amount.
    """
    count = _stage_rows(batches, report=report, progress=progress, total=total)
    if not report.ok or not report.imported:
        return
    progress("installments", report.imported, report.imported)
    loan, schedule, item = _table(Loan), _table(Schedule), _table(Installment)
    now = timezone.now()
    bulk = count >= BULK_INSTALLMENTS
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"""
            INSERT INTO {loan} ({_column(Loan, "id")}, {_column(Loan, "number")}, {_column(Loan, "borrower_name")},
                {_column(Loan, "borrower_national_id")}, {_column(Loan, "borrower_birth_date")},
                {_column(Loan, "borrower")}, {_column(Loan, "purpose")}, {_column(Loan, "principal")},
                {_column(Loan, "admin_fee")}, {_column(Loan, "term_months")}, {_column(Loan, "start_date")},
                {_column(Loan, "branch")}, {_column(Loan, "status")}, {_column(Loan, "created_at")})
            SELECT id, number, borrower_name, national_id, birth_date, NULL, purpose, principal, admin_fee, term,
                   start_date, %s, CASE WHEN paid = principal + admin_fee THEN %s ELSE %s END, %s
            FROM {STAGE} ORDER BY number
            """,  # noqa: S608 — table and column names from the models, values as parameters
            [branch.pk, LoanStatus.SETTLED, LoanStatus.ACTIVE, now],
        )
        cursor.execute(
            f"""
            INSERT INTO {schedule} ({_column(Schedule, "loan")}, {_column(Schedule, "version")},
                {_column(Schedule, "is_current")}, {_column(Schedule, "total")}, {_column(Schedule, "created_at")},
                {_column(Schedule, "reason")})
            SELECT id, 1, true, principal + admin_fee, %s, '' FROM {STAGE} ORDER BY number
            """,  # noqa: S608
            [now],
        )
        dropped = _bulk_begin(cursor) if bulk else []
        started = time.perf_counter()
        cursor.execute(
            f"""
            INSERT INTO {item} ({_column(Installment, "schedule")}, {_column(Installment, "loan")},
                {_column(Installment, "number")}, {_column(Installment, "due_date")}, {_column(Installment, "amount")},
                {_column(Installment, "paid")}, {_column(Installment, "legacy_paid")},
                {_column(Installment, "replaced")}, {_column(Installment, "obligation")},
                {_column(Installment, "reminded_at")}, {_column(Installment, "overdue_notice_at")})
            SELECT s.id, st.id, n, (st.start_date + make_interval(months => n))::date, a.amount,
                   LEAST(a.amount, GREATEST(0, st.paid - a.base * (n - 1))),
                   LEAST(a.amount, GREATEST(0, st.paid - a.base * (n - 1))),
                   false, NULL, NULL, NULL
            FROM {STAGE} st
            JOIN {schedule} s ON s.{_column(Schedule, "loan")} = st.id
            CROSS JOIN LATERAL generate_series(1, st.term) AS n
            CROSS JOIN LATERAL (
                SELECT (st.principal + st.admin_fee) / st.term AS base,
                       CASE WHEN n < st.term THEN (st.principal + st.admin_fee) / st.term
                            ELSE (st.principal + st.admin_fee) - (st.principal + st.admin_fee) / st.term * (st.term - 1)
                       END AS amount
            ) a
            """  # noqa: S608
        )
        report.installments = cursor.rowcount
        logger.info("loan import: %d installments generated in %.1f s", cursor.rowcount, time.perf_counter() - started)
        if bulk:
            progress("indexing", report.imported, report.imported)
            _bulk_end(cursor, dropped)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        for table in (loan, schedule, item):  # the planner's figures, before the reports read them
            cursor.execute(f"ANALYZE {table}")


def _bulk_begin(cursor: Any) -> list[str]:
    """Drop the installment table's secondary indexes and foreign keys (inside the transaction);
    returns the statements that re-create them exactly."""
    table = Installment._meta.db_table
    # Run the deferred key checks of the rows inserted so far: a table with pending ones cannot be altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("LOCK TABLE " + _table(Installment) + " IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'f'
        """,
        [table],
    )
    keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'u'
        """,
        [table],
    )
    uniques = cursor.fetchall()
    quote = connection.ops.quote_name
    recreate = []
    for name, _definition, _unique in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    for name, _definition in [*keys, *uniques]:
        cursor.execute(f"ALTER TABLE {_table(Installment)} DROP CONSTRAINT {quote(name)}")
    recreate += [definition for _name, definition, _unique in indexes]
    recreate += [f"ALTER TABLE {_table(Installment)} ADD CONSTRAINT {quote(name)} {d}" for name, d in uniques]
    recreate += [f"ALTER TABLE {_table(Installment)} ADD CONSTRAINT {quote(name)} {d}" for name, d in keys]
    return recreate


def _bulk_end(cursor: Any, statements: list[str]) -> None:
    started = time.perf_counter()
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        cursor.execute(statement)
    logger.info("loan import: %d indexes and keys re-created in %.1f s", len(statements), time.perf_counter() - started)
