"""Matching the staged rows against our payments: a handful of set-based statements, the same
SQL on PostgreSQL and SQLite but for how ``settle`` finds each payment's first line."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count

from collection.constants import CAPTURED, SETTLEMENT_WINDOW_DAYS, DiscrepancyKind, RowOutcome
from collection.models import Discrepancy, Payment, Settlement, SettlementFile, SettlementRow
from collection.reconciliation.formats import FORMATS
from collection.reconciliation.reading import Read, Stage, repeats_sql

OUTCOMES = [*RowOutcome.values, "missing"]


def tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "settlements": quote(Settlement._meta.db_table),
        "rows": quote(SettlementRow._meta.db_table),
        "payments": quote(Payment._meta.db_table),
        "discrepancies": quote(Discrepancy._meta.db_table),
    }


def lock_provider(provider: str) -> None:
    """One reconciliation per provider at a time: matching and 'missing' need a stable view."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"collection.settlement.{provider}"])


@dataclass
class Matched:
    counts: dict[str, int]  # rows per outcome, and payments newly reported missing ("missing")
    entity_counts: dict[str, dict[str, int]]  # the same per collecting entity (its primary key)


JUDGED = "settlement_judged"
REPEATS = "settlement_repeats"
KEPT = "settlement_kept"


def _temporary(name: str) -> str:
    return f"pg_temp.{name}" if connection.vendor == "postgresql" else f"temp.{name}"


def _file_id(settlement: SettlementFile) -> Any:
    return SettlementFile._meta.pk.get_db_prep_value(settlement.pk, connection)


def judge(settlement: SettlementFile, stage: Stage, steps: dict[str, float]) -> None:
    """Each staged line with its payment and outcome, in a temporary table: unknown to us, a
    payment of another collecting entity than the file's, a payment an earlier file settled (a
    repeat), not paid with us (or a line that reports no money paid: a refund), a different
    amount or currency, matched. Lines repeated within the file are ``keep``'s.

    The format says how a line finds its payment (``join``) and among which payments. A file of
    an entity's merchant account settles only that entity's payments: a line about another's is
    in front of the file's entity, without the payment (whose details are not theirs to see), as
    is a line about no payment at all.
    """
    t = tables()
    fmt = stage.format
    captured = list(CAPTURED)
    entity = settlement.entity_id
    other = "p.collecting_entity_id <> %s" if entity is not None else "1 = 0"
    others = [entity] if entity is not None else []
    unpaid = ""
    if fmt.paid_statuses is not None:
        unpaid = f" OR s.status NOT IN ({', '.join(['%s'] * len(fmt.paid_statuses))})"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_temporary(JUDGED)}")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {JUDGED} AS
            SELECT s.line, s.txn_id, s.payment_ref, s.amount, s.currency, s.status, s.settled_at, s.card_last4, s.fee,
                   CASE WHEN {other} THEN NULL ELSE p.id END AS payment_id,
                   CASE WHEN p.id IS NULL OR {other} THEN %s ELSE p.collecting_entity_id END AS collecting_entity_id,
                   CASE WHEN {other} THEN NULL ELSE p.amount END AS expected_amount,
                   CASE
                       WHEN p.id IS NULL THEN %s
                       WHEN {other} THEN %s
                       WHEN EXISTS (SELECT 1 FROM {t["settlements"]} m WHERE m.payment_id = p.id) THEN %s
                       WHEN p.status NOT IN ({", ".join(["%s"] * len(captured))}){unpaid} THEN %s
                       WHEN p.amount <> s.amount OR p.currency <> s.currency THEN %s
                       ELSE %s
                   END AS outcome
            FROM (SELECT {stage.typed_columns()} FROM {stage.name} st) s
            LEFT JOIN {t["payments"]} p ON {fmt.join} AND p.provider = %s
            """,  # noqa: S608 — table names and SQL from the code, values as parameters
            [
                *others,
                *others,
                entity,
                *others,
                RowOutcome.UNKNOWN,
                *others,
                RowOutcome.OTHER_ENTITY,
                RowOutcome.DUPLICATE,
                *captured,
                *(fmt.paid_statuses or ()),
                RowOutcome.STATUS_MISMATCH,
                RowOutcome.AMOUNT_MISMATCH,
                RowOutcome.MATCHED,
                fmt.payment_provider,
            ],
        )
    steps["judge"] = time.perf_counter() - started


def settle(settlement: SettlementFile, steps: dict[str, float]) -> None:
    """Each payment's first line in the file, if it matched, is the payment's settlement (the
    primary key: once per payment). Its later lines repeat it; ``keep`` takes back a first line
    that repeats another's transaction. In payment order, so that the key's index fills from
    its right-hand end: in the file's order each of a million keys would land on a page of its
    own (three times slower)."""
    t = tables()
    judged = _temporary(JUDGED)
    if connection.vendor == "postgresql":
        first = f"""SELECT DISTINCT ON (payment_id) payment_id, line, txn_id, settled_at, fee, outcome
                    FROM {judged} WHERE payment_id IS NOT NULL ORDER BY payment_id, line"""  # noqa: S608
    else:  # SQLite takes the other columns from the row of MIN(line)
        first = f"""SELECT payment_id, MIN(line) AS line, txn_id, settled_at, fee, outcome
                    FROM {judged} WHERE payment_id IS NOT NULL GROUP BY payment_id"""  # noqa: S608
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {t["settlements"]} (payment_id, file_id, line, txn_id, settled_at, fee)
            SELECT payment_id, %s, line, txn_id, settled_at, fee FROM ({first}) f WHERE outcome = %s
            ORDER BY payment_id
            """,  # noqa: S608 — table names from the models, values as parameters
            [_file_id(settlement), RowOutcome.MATCHED],
        )
    steps["settle"] = time.perf_counter() - started


def keep(settlement: SettlementFile, stage: Stage, read: Read, steps: dict[str, float]) -> None:
    """The lines that settled nothing, in a temporary table with their final outcome (``final``).

    A line that repeats an earlier line's transaction is a duplicate (and settles nothing: a
    settlement it made is taken back); so is one that repeats an earlier line's payment, unless
    we do not know the payment (then it stays unknown). The repeats come found with the file's
    checks (``read.repeats``) or are found here.
    """
    t = tables()
    judged, repeats, kept = _temporary(JUDGED), _temporary(REPEATS), _temporary(KEPT)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {repeats}")
        cursor.execute(f"DROP TABLE IF EXISTS {kept}")
        if read.repeats is None:
            cursor.execute(f"CREATE TEMPORARY TABLE {REPEATS} AS {repeats_sql(stage)}")
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {REPEATS} (line integer, by_txn integer)")
            cursor.executemany(
                f"INSERT INTO {repeats} (line, by_txn) VALUES (%s, %s)",  # noqa: S608 — a fixed name
                read.repeats,
            )
        # Only the lines that matched are looked up among the repeats (IN: a hashed look-up,
        # whatever the planner guesses of the tables' sizes).
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {KEPT} AS
            SELECT j.*, CASE WHEN j.line IN (SELECT line FROM {repeats} WHERE by_txn = 1)
                               OR (j.payment_id IS NOT NULL AND j.line IN (SELECT line FROM {repeats})) THEN %s
                             ELSE j.outcome END AS final
            FROM {judged} j
            WHERE j.outcome <> %s OR j.line IN (SELECT line FROM {repeats})
            """,  # noqa: S608 — fixed names
            [RowOutcome.DUPLICATE, RowOutcome.MATCHED],
        )
        cursor.execute(
            f"""
            DELETE FROM {t["settlements"]}
            WHERE file_id = %s
              AND payment_id IN (SELECT payment_id FROM {kept} WHERE payment_id IS NOT NULL AND final = %s)
              AND line IN (SELECT line FROM {repeats} WHERE by_txn = 1)
            """,  # noqa: S608 — fixed names
            [_file_id(settlement), RowOutcome.DUPLICATE],
        )
        cursor.execute(f"DROP TABLE {repeats}")
    steps["keep"] = time.perf_counter() - started


def match(settlement: SettlementFile, read: Read, now: dt.datetime, steps: dict[str, float]) -> Matched:
    """Put the lines kept (``keep``) in front of staff; count the outcomes; report payments
    missing from settlement. ``steps`` gets the seconds each statement took (for the log).
    """
    t = tables()
    judged, kept = _temporary(JUDGED), _temporary(KEPT)
    file_id = _file_id(settlement)
    stamp = connection.ops.adapt_datetimefield_value(now)
    captured = list(CAPTURED)
    marks = ", ".join(["%s"] * len(captured))
    with connection.cursor() as raw:

        def execute(step: str, sql: str, params: list[Any]) -> None:
            started = time.perf_counter()
            raw.execute(sql, params)
            steps[step] = time.perf_counter() - started

        execute(
            "rows",
            f"""
            INSERT INTO {t["rows"]} (file_id, line, txn_id, payment_ref, amount, currency, status, settled_at,
                                     card_last4, fee, payment_id, collecting_entity_id, outcome)
            SELECT %s, line, txn_id, payment_ref, amount, currency, status, settled_at,
                   card_last4, fee, payment_id, collecting_entity_id, final
            FROM {kept}
            """,  # noqa: S608
            [file_id],
        )
        # Every row kept is in front of staff.
        execute(
            "discrepancies",
            f"""
            INSERT INTO {t["discrepancies"]} (kind, provider, collecting_entity_id, payment_id, row_id, file_id,
                                              expected_amount, reported_amount, detail, created_at, resolution, note,
                                              resolved_by_id, resolved_at)
            SELECT r.outcome, %s, r.collecting_entity_id, r.payment_id, r.id, r.file_id,
                   k.expected_amount, r.amount, '', %s, '', '', NULL, NULL
            FROM {t["rows"]} r JOIN {kept} k ON k.line = r.line
            WHERE r.file_id = %s
            """,  # noqa: S608
            [settlement.provider, stamp, file_id],
        )
        # The outcomes as judged, less the repeats' changes (a few lines, all kept).
        started = time.perf_counter()
        raw.execute(
            f"SELECT collecting_entity_id, outcome, COUNT(*) FROM {judged} GROUP BY collecting_entity_id, outcome"  # noqa: S608
        )
        groups = raw.fetchall()
        raw.execute(
            f"""SELECT collecting_entity_id, outcome, final, COUNT(*) FROM {kept} WHERE final <> outcome
                GROUP BY collecting_entity_id, outcome, final"""  # noqa: S608
        )
        for entity_id, outcome, final, n in raw.fetchall():
            groups += [(entity_id, outcome, -n), (entity_id, final, n)]
        for table in (judged, kept):
            raw.execute(f"DROP TABLE {table}")
        steps["counts"] = time.perf_counter() - started
        missing = 0
        if read.last is not None:
            # Paid with us well before the file's last settlement, and in no settlement file at
            # all: not settled, and no line of a file about it in front of staff (a different
            # amount, say). On PostgreSQL, OFFSET 0 keeps each NOT EXISTS a look-up by the
            # payment's key, as many as there are candidates, never a scan of every settlement
            # ever made.
            by_key = " OFFSET 0" if connection.vendor == "postgresql" else ""
            # A file of one entity's merchant account says nothing of other entities' payments.
            entity = [settlement.entity_id] if settlement.entity_id is not None else []
            of_entity = " AND p.collecting_entity_id = %s" if entity else ""
            cutoff = connection.ops.adapt_datetimefield_value(read.last - dt.timedelta(days=SETTLEMENT_WINDOW_DAYS))
            execute(
                "missing",
                f"""
                INSERT INTO {t["discrepancies"]} (kind, provider, collecting_entity_id, payment_id, row_id, file_id,
                                                  expected_amount, reported_amount, detail, created_at, resolution,
                                                  note, resolved_by_id, resolved_at)
                SELECT %s, %s, p.collecting_entity_id, p.id, NULL, %s, p.amount, NULL, '', %s, '', '',
                       NULL, NULL
                FROM {t["payments"]} p
                WHERE p.provider = %s AND p.status IN ({marks}) AND p.succeeded_at < %s{of_entity}
                  AND NOT EXISTS (SELECT 1 FROM {t["settlements"]} m WHERE m.payment_id = p.id{by_key})
                  AND NOT EXISTS (SELECT 1 FROM {t["discrepancies"]} d
                                  WHERE d.payment_id = p.id AND (d.row_id IS NOT NULL OR d.kind = %s){by_key})
                """,  # noqa: S608
                [
                    DiscrepancyKind.MISSING,
                    settlement.provider,
                    file_id,
                    stamp,
                    FORMATS[settlement.provider].payment_provider,
                    *captured,
                    cutoff,
                    *entity,
                    DiscrepancyKind.MISSING,
                ],
            )
            missing = int(raw.rowcount)
    if missing:
        groups += (
            Discrepancy.objects.filter(file=settlement, kind=DiscrepancyKind.MISSING)
            .values_list("collecting_entity_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
    return _counted(groups)


def _counted(groups: list[Any]) -> Matched:
    total = dict.fromkeys(OUTCOMES, 0)
    by_entity: dict[str, dict[str, int]] = {}
    for entity_id, outcome, n in groups:
        total[outcome] += n
        if entity_id is not None:
            by_entity.setdefault(str(entity_id), dict.fromkeys(OUTCOMES, 0))[outcome] += n
    return Matched(total, by_entity)
