"""A card acquirer's daily transaction report: what the bank or processor that settles the outlets'
card terminals (as an Iraqi acquirer such as Qi Card's processor sends its merchants) paid or took
back on one merchant account, one card transaction a line.

The file is CSV, UTF-8, with this header (docs/OPERATIONS.md shows an example)::

    merchant_id,terminal_id,rrn,approval_code,card_number,amount,fee,net_amount,transaction_time,settlement_date,type

- ``merchant_id``: the merchant account (MID), the same on every line; it names the collecting
  entity the file belongs to (``MerchantAccount``);
- ``terminal_id``: the terminal (TID) as printed on its slips; ``rrn``: the retrieval reference
  number, 12 digits; ``approval_code``: 6 letters or digits; ``card_number``: masked, first 6 and
  last 4 digits (``627260******1234``);
- ``amount``, ``fee``, ``net_amount``: whole dinars, ``net_amount = amount - fee``;
- ``transaction_time``: Baghdad time, ``2026-11-20 10:31:07``; ``settlement_date``: ``2026-11-21``,
  not before the transaction's day;
- ``type``: ``sale`` or ``refund``.

A line settles the outlet payment whose slip the cashier recorded with the same terminal ID and
RRN. A cashier's typing mistake in either finds no payment (the line is unknown, the payment later
missing); in the amount, an amount mismatch. A refund line has an RRN of its own, so it usually
finds no payment either; if it names a payment it never settles it (``paid_statuses``). Both are
put in front of staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy

from collection.constants import CURRENCY, Provider
from collection.reconciliation.formats.base import SettlementFormat, Staged

BAGHDAD = ZoneInfo("Asia/Baghdad")  # UTC+3 all year since 2008
SALE, REFUND = "sale", "refund"
_DIGITS = "0123456789"
_UPPER_ALNUM = _DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _terminal(text: str) -> bool:
    """As a terminal prints its ID (``terminal_id_validator``): 2 to 32 capitals, digits or hyphens."""
    return 2 <= len(text) <= 32 and text[0] != "-" and all(c in _UPPER_ALNUM or c == "-" for c in text)


def _digits(text: str, n: int) -> bool:
    return len(text) == n and text.isascii() and text.isdigit()


def _masked(text: str) -> bool:
    """A masked card number: 13 to 19 characters, the first 6 and last 4 digits, stars between."""
    return (
        13 <= len(text) <= 19
        and _digits(text[:6], 6)
        and _digits(text[-4:], 4)
        and text[6:-4] == "*" * (len(text) - 10)
    )


def _money(text: str) -> int | None:
    return int(text) if 0 < len(text) <= 18 and text.isascii() and text.isdigit() else None


def _local_time(text: str) -> dt.datetime | None:
    """A Baghdad date and time with no offset, as an aware datetime."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=BAGHDAD) if when.tzinfo is None else None


class AcquirerFormat(SettlementFormat):
    provider = Provider.ACQUIRER
    columns = [
        "merchant_id", "terminal_id", "rrn", "approval_code", "card_number", "amount", "fee", "net_amount",
        "transaction_time", "settlement_date", "type",
    ]  # fmt: skip
    payment_provider = Provider.OUTLET
    account_column = "merchant_id"
    paid_statuses = (SALE,)
    problems_text: ClassVar[dict[str, Any]] = {
        "merchant_id": gettext_lazy("merchant_id must be %(account)s, the merchant account of the file's first row"),
        "terminal_id": gettext_lazy("terminal_id must be 2 to 32 capital letters, digits or hyphens"),
        "rrn": gettext_lazy("rrn must be 12 digits"),
        "approval_code": gettext_lazy("approval_code must be 6 letters or digits"),
        "card_number": gettext_lazy("card_number must be masked as 627260******1234"),
        "acquirer_amount": gettext_lazy("amount must be a whole number of dinars, more than 0"),
        "fee": gettext_lazy("fee must be a whole number of dinars, 0 or more"),
        "net_amount": gettext_lazy("net_amount must be the amount less the fee"),
        "transaction_time": gettext_lazy(
            "transaction_time must be a date and time in Baghdad time, such as 2026-11-20 10:31:07"
        ),
        "settlement_date": gettext_lazy(
            "settlement_date must be a date such as 2026-11-21, not before the transaction's day"
        ),
        "type": gettext_lazy("type must be sale or refund"),
    }
    # The slip's terminal and RRN, as ``terminal/rrn``: the RRN (the last 12 characters) finds the
    # payment through its index, the terminal must be the one the cashier chose.
    join = (
        "p.provider_ref = substr(s.payment_ref, length(s.payment_ref) - 11)"
        " AND p.terminal_id || '/' || p.provider_ref = s.payment_ref"
    )

    raw_columns = columns
    plain_sql = """
        merchant_id = %s
        AND octet_length(terminal_id) BETWEEN 2 AND 32 AND left(terminal_id, 1) <> '-'
        AND translate(terminal_id, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-', '') = ''
        AND octet_length(rrn) = 12 AND translate(rrn, '0123456789', '') = ''
        AND octet_length(approval_code) = 6
        AND translate(approval_code, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') = ''
        AND octet_length(card_number) BETWEEN 13 AND 19
        AND translate(left(card_number, 6) || right(card_number, 4), '0123456789', '') = ''
        AND translate(substr(card_number, 7, octet_length(card_number) - 10), '*', '') = ''
        AND amount::bigint::text = amount AND amount::bigint BETWEEN 1 AND 999999999999999999
        AND fee::bigint::text = fee AND fee::bigint >= 0
        AND net_amount::bigint::text = net_amount AND net_amount::bigint = amount::bigint - fee::bigint
        AND to_char(transaction_time::timestamp, 'YYYY-MM-DD HH24:MI:SS') = transaction_time
        AND to_char(settlement_date::date, 'YYYY-MM-DD') = settlement_date
        AND settlement_date::date >= transaction_time::timestamp::date
        AND type IN ('sale', 'refund')
    """
    common_sql = (
        "st.line, st.rrn AS txn_id, st.terminal_id || '/' || st.rrn AS payment_ref, st.amount::bigint AS amount,"
        f" '{CURRENCY}' AS currency, st.type AS status,"
        " st.transaction_time::timestamp AT TIME ZONE 'Asia/Baghdad' AS settled_at,"
        " right(st.card_number, 4) AS card_last4, st.fee::bigint AS fee"
    )
    txn_sql = "rrn"
    ref_sql = "terminal_id || '/' || rrn"
    key_columns: ClassVar[list[str]] = ["terminal_id", "rrn"]
    time_column = "transaction_time"

    def raw_time(self, text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=BAGHDAD)

    def row(self, row: list[str], account: str) -> Staged | None:
        if len(row) != 11:
            return None
        merchant, terminal, rrn, approval, card, amount, fee, net, at, settled_on, kind = row
        when = _local_time(at)
        paid, kept, left = _money(amount), _money(fee), _money(net)
        if not (
            merchant == account
            and _terminal(terminal)
            and _digits(rrn, 12)
            and len(approval) == 6 and approval.isascii() and approval.isalnum()
            and _masked(card)
            and paid is not None and paid > 0 and kept is not None and left == paid - kept
            and when is not None and _settled_on(settled_on, when)
            and kind in (SALE, REFUND)
        ):  # fmt: skip
            return None
        return (rrn, f"{terminal}/{rrn}", amount, CURRENCY, kind, when, card[-4:], fee)

    def problems(self, row: list[str], account: str) -> list[str]:
        if len(row) != len(self.columns):
            return ["columns"]
        merchant, terminal, rrn, approval, card, amount, fee, net, at, settled_on, kind = row
        paid, kept, left = _money(amount), _money(fee), _money(net)
        when = _local_time(at)
        checks = {
            "merchant_id": merchant == account,
            "terminal_id": _terminal(terminal),
            "rrn": _digits(rrn, 12),
            "approval_code": len(approval) == 6 and approval.isascii() and approval.isalnum(),
            "card_number": _masked(card),
            "acquirer_amount": paid is not None and paid > 0,
            "fee": kept is not None,
            "net_amount": paid is None or kept is None or left == paid - kept,
            "transaction_time": when is not None,
            "settlement_date": when is None or _settled_on(settled_on, when),
            "type": kind in (SALE, REFUND),
        }
        return [code for code, good in checks.items() if not good]


def _settled_on(text: str, when: dt.datetime) -> bool:
    try:
        return dt.date.fromisoformat(text) >= when.date() and len(text) == 10
    except ValueError:
        return False
