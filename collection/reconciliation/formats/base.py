"""What a settlement file format declares: its columns, how one of its lines becomes the common
staging row, and (for the formats fast enough to need it) the same in SQL for PostgreSQL's COPY path.

The common staging row is what matching reads, whatever the provider: ``txn_id`` (the provider's
own reference of the transaction), ``payment_ref`` (what finds our payment, with ``join``),
``amount`` and ``fee`` (whole dinars, as text), ``currency``, ``status`` (the provider's word),
``settled_at`` (an aware datetime) and ``card_last4``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

# A line as staged: txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee.
Staged = tuple[str, str, str, str, str, dt.datetime, str, str]

COMMON_COLUMNS = ["txn_id", "payment_ref", "amount", "currency", "status", "settled_at", "card_last4", "fee"]

_ZERO = dt.timedelta(0)


def whole(text: str) -> bool:
    """A whole number of dinars, 0 or more, as digits only."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


def currency_code(text: str) -> bool:
    return len(text) == 3 and text.isascii() and text.isalpha() and text.isupper()


def utc_time(text: str) -> dt.datetime | None:
    """A date and time in UTC (``Z`` or ``+00:00``), or None."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.utcoffset() == _ZERO else None


class SettlementFormat:
    """One provider's settlement file. Subclasses set the class attributes and ``row``/``problems``."""

    provider: ClassVar[str]
    columns: ClassVar[list[str]]  # the header, in order
    payment_provider: ClassVar[str]  # the ``Payment.provider`` of the payments its lines settle
    # The column naming the merchant account the whole file reports (None: the file names none).
    account_column: ClassVar[str | None] = None
    # The staged statuses that report money paid to us; another settles nothing (None: every line).
    paid_statuses: ClassVar[tuple[str, ...] | None] = None
    # Why a row is refused: codes (unique across formats) and their words.
    problems_text: ClassVar[dict[str, Any]] = {}
    # How a staged line ``s`` finds its payment ``p`` (the same SQL on PostgreSQL and SQLite).
    join: ClassVar[str] = "p.payment_ref = s.payment_ref"

    # PostgreSQL's fast path: the file goes as it is into a table of these (text) columns, one per
    # column of the file; None: this format is always read row by row.
    raw_columns: ClassVar[list[str] | None] = None
    # A raw row that is plainly good (see ``reading._PLAIN_ROW``); ``%s`` is the file's account.
    plain_sql: ClassVar[str] = ""
    # The raw columns as the common staging row, typed (``st`` is the raw table).
    common_sql: ClassVar[str] = ""
    # The raw expressions of the common txn_id and payment_ref (repeated lines are found by them).
    txn_sql: ClassVar[str] = "txn_id"
    ref_sql: ClassVar[str] = "payment_ref"
    key_columns: ClassVar[list[str]] = ["payment_ref"]  # the raw columns of ref_sql (for the planner)
    # The raw column whose earliest and latest values (in text order) are the file's first and last.
    time_column: ClassVar[str] = ""

    def account_of(self, row: list[str]) -> str:
        """The merchant account a row reports ('' for a format without one)."""
        if self.account_column is None:
            return ""
        at = self.columns.index(self.account_column)
        return row[at].strip() if len(row) > at else ""

    def row(self, row: list[str], account: str) -> Staged | None:
        """The common staging row of a good ``row`` of a file reporting ``account``; None if it is not good."""
        raise NotImplementedError

    def problems(self, row: list[str], account: str) -> list[str]:
        """Every problem of a row ``row`` refused (codes of ``problems_text``, or "columns")."""
        raise NotImplementedError

    def raw_time(self, text: str) -> dt.datetime:
        """A value of ``time_column`` that passed ``plain_sql``, as an aware datetime."""
        return dt.datetime.fromisoformat(text)
