"""Matching the staged rows against our payments: a handful of set-based statements, the same
SQL on PostgreSQL and SQLite (≥ 3.33, for ``UPDATE … FROM``)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection
from django.db.models import Count

from collection.constants import CAPTURED, SETTLEMENT_WINDOW_DAYS, DiscrepancyKind, RowOutcome
from collection.models import Discrepancy, Payment, SettlementFile, SettlementRow
from collection.reconciliation.reading import Read, Stage

OUTCOMES = [*RowOutcome.values, "missing"]


def tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "rows": quote(SettlementRow._meta.db_table),
        "payments": quote(Payment._meta.db_table),
        "discrepancies": quote(Discrepancy._meta.db_table),
    }


def lock_provider(provider: str) -> None:
    """One reconciliation per provider at a time: matching and 'missing' need a stable view."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"collection.settlement.{provider}"])


def match(settlement: SettlementFile, stage: Stage, read: Read, now: dt.datetime, steps: dict[str, float]) -> int:
    """Store the rows with their outcome (a matched row settles its payment), list what needs staff.

    Returns how many payments were newly reported missing from settlement; ``steps`` gets the
    seconds each statement took (for the log).
    """
    t = tables()
    file_id = SettlementFile._meta.pk.get_db_prep_value(settlement.pk, connection)
    stamp = connection.ops.adapt_datetimefield_value(now)
    captured = list(CAPTURED)
    marks = ", ".join(["%s"] * len(captured))
    settled_earlier = f"EXISTS (SELECT 1 FROM {t['rows']} m WHERE m.payment_id = p.id AND m.outcome = %s)"  # noqa: S608
    with connection.cursor() as raw:

        def execute(step: str, sql: str, params: list[Any]) -> None:
            started = time.perf_counter()
            raw.execute(sql, params)
            steps[step] = time.perf_counter() - started

        # Each row's outcome, in this order: repeated (the same transaction earlier in the file,
        # the same payment earlier in the file, or the payment settled by an earlier file),
        # unknown to us, not paid with us, different amount or currency, matched. A matched row
        # is the payment's settlement. Rows go in by payment: the settlement index then takes its
        # million keys in order, and the same sort numbers each payment's rows.
        execute(
            "rows",
            f"""
            INSERT INTO {t["rows"]} (file_id, line, txn_id, payment_ref, amount, currency, status, settled_at,
                                     card_last4, fee, payment_id, collecting_entity_id, outcome)
            SELECT %s, s.line, s.txn_id, s.payment_ref, s.amount, s.currency, s.status, s.settled_at,
                   s.card_last4, s.fee, p.id, p.collecting_entity_id,
                   CASE
                       WHEN s.txn_seen > 1 THEN %s
                       WHEN p.id IS NULL THEN %s
                       WHEN ROW_NUMBER() OVER by_payment > 1 OR {settled_earlier} THEN %s
                       WHEN p.status NOT IN ({marks}) THEN %s
                       WHEN p.amount <> s.amount OR p.currency <> s.currency THEN %s
                       ELSE %s
                   END
            FROM (
                SELECT {stage.typed_columns()},
                       ROW_NUMBER() OVER (PARTITION BY st.txn_id ORDER BY st.line) AS txn_seen
                FROM {stage.name} st
            ) s
            LEFT JOIN {t["payments"]} p ON p.payment_ref = s.payment_ref AND p.provider = %s
            WINDOW by_payment AS (PARTITION BY p.id ORDER BY s.line)
            ORDER BY p.id, s.line
            """,  # noqa: S608 — table names from the models, values as parameters
            [
                file_id,
                RowOutcome.DUPLICATE,
                RowOutcome.UNKNOWN,
                RowOutcome.MATCHED,
                RowOutcome.DUPLICATE,
                *captured,
                RowOutcome.STATUS_MISMATCH,
                RowOutcome.AMOUNT_MISMATCH,
                RowOutcome.MATCHED,
                settlement.provider,
            ],
        )
        stage.drop()
        execute(
            "discrepancies",
            f"""
            INSERT INTO {t["discrepancies"]} (kind, provider, collecting_entity_id, payment_id, row_id, file_id,
                                              expected_amount, reported_amount, detail, created_at, resolution, note,
                                              resolved_by_id, resolved_at)
            SELECT r.outcome, %s, r.collecting_entity_id, r.payment_id, r.id, r.file_id,
                   p.amount, r.amount, '', %s, '', '', NULL, NULL
            FROM {t["rows"]} r LEFT JOIN {t["payments"]} p ON p.id = r.payment_id
            WHERE r.file_id = %s AND r.outcome <> %s
            """,  # noqa: S608
            [settlement.provider, stamp, file_id, RowOutcome.MATCHED],
        )
        if read.last is None:
            return 0
        # Paid with us well before the file's last settlement, and in no settlement file at all:
        # not settled, and no row of a file about it in front of staff (a different amount, say).
        cutoff = connection.ops.adapt_datetimefield_value(read.last - dt.timedelta(days=SETTLEMENT_WINDOW_DAYS))
        execute(
            "missing",
            f"""
            INSERT INTO {t["discrepancies"]} (kind, provider, collecting_entity_id, payment_id, row_id, file_id,
                                              expected_amount, reported_amount, detail, created_at, resolution, note,
                                              resolved_by_id, resolved_at)
            SELECT %s, p.provider, p.collecting_entity_id, p.id, NULL, %s, p.amount, NULL, '', %s, '', '', NULL, NULL
            FROM {t["payments"]} p
            WHERE p.provider = %s AND p.status IN ({marks}) AND p.succeeded_at < %s
              AND NOT {settled_earlier}
              AND NOT EXISTS (SELECT 1 FROM {t["discrepancies"]} d
                              WHERE d.payment_id = p.id AND (d.row_id IS NOT NULL OR d.kind = %s))
            """,  # noqa: S608
            [
                DiscrepancyKind.MISSING,
                file_id,
                stamp,
                settlement.provider,
                *captured,
                cutoff,
                RowOutcome.MATCHED,
                DiscrepancyKind.MISSING,
            ],
        )
        return int(raw.rowcount)


def counts_of(settlement: SettlementFile) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Rows per outcome (and payments reported missing): for the whole file and per entity."""
    total = dict.fromkeys(OUTCOMES, 0)
    by_entity: dict[str, dict[str, int]] = {}
    groups = [
        *SettlementRow.objects.filter(file=settlement)
        .values_list("collecting_entity_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by(),
        *Discrepancy.objects.filter(file=settlement, kind=DiscrepancyKind.MISSING)
        .values_list("collecting_entity_id", "kind")
        .annotate(n=Count("pk"))
        .order_by(),
    ]
    for entity_id, outcome, n in groups:
        total[outcome] += n
        if entity_id is not None:
            by_entity.setdefault(str(entity_id), dict.fromkeys(OUTCOMES, 0))[outcome] += n
    return total, by_entity
