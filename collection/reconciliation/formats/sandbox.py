"""The sandbox payment company's settlement file (``collection.providers.sandbox`` writes it): one
line per charge settled, in our own payment reference, times in UTC. It names no merchant account:
the sandbox is one test company for the whole platform."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from collection.constants import Provider
from collection.providers.sandbox import SETTLEMENT_COLUMNS
from collection.reconciliation.formats.base import SettlementFormat, Staged, currency_code, utc_time, whole

_ZERO = dt.timedelta(0)


class SandboxFormat(SettlementFormat):
    provider = Provider.SANDBOX
    columns = SETTLEMENT_COLUMNS
    payment_provider = Provider.SANDBOX
    problems_text: ClassVar[dict[str, Any]] = {
        "txn_id": gettext_lazy("txn_id is missing or longer than 80 characters"),
        "payment_ref": gettext_lazy("payment_ref is missing or longer than 80 characters"),
        "amount": gettext_lazy("amount must be a whole number of dinars, 0 or more"),
        "currency": gettext_lazy("currency must be 3 capital letters, such as IQD"),
        "status": gettext_lazy("status is missing or longer than 20 characters"),
        "settled_at": gettext_lazy("settled_at must be a date and time in UTC, such as 2026-11-21T10:30:00Z"),
        "card_last4": gettext_lazy("card_last4 must be empty or 4 digits"),
        "fee": gettext_lazy("fee must be a whole number of dinars, 0 or more"),
    }

    # The file's columns are the common row's: COPY takes it as it is.
    raw_columns = SETTLEMENT_COLUMNS
    # Each value must come back unchanged from its type, which refuses what a cast alone would
    # forgive (signs, spaces, "1_000", "24:00:00"); times only as 2026-11-21T10:30:00Z.
    plain_sql = """
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
    common_sql = (
        "st.line, st.txn_id, st.payment_ref, st.amount::bigint AS amount, st.currency, st.status,"
        " st.settled_at::timestamptz AS settled_at, coalesce(st.card_last4, '') AS card_last4,"
        " st.fee::bigint AS fee"
    )
    time_column = "settled_at"

    def row(self, row: list[str], account: str) -> Staged | None:
        # Everything at once (a refused row is looked at again by ``problems`` for its reasons).
        try:
            txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee = row
            when = dt.datetime.fromisoformat(settled_at)
            good = (
                0 < len(txn_id) <= 80
                and 0 < len(payment_ref) <= 80
                and 0 < len(amount) <= 18 and amount.isascii() and amount.isdigit()
                and len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()
                and 0 < len(status) <= 20
                and when.utcoffset() == _ZERO
                and (not card_last4 or (len(card_last4) == 4 and card_last4.isascii() and card_last4.isdigit()))
                and 0 < len(fee) <= 18 and fee.isascii() and fee.isdigit()
            )  # fmt: skip
        except ValueError:
            return None
        return (txn_id, payment_ref, amount, currency, status, when, card_last4, fee) if good else None

    def problems(self, row: list[str], account: str) -> list[str]:
        if len(row) != len(self.columns):
            return ["columns"]
        txn_id, payment_ref, amount, currency, status, settled_at, card_last4, fee = row
        checks = {
            "txn_id": 0 < len(txn_id) <= 80,
            "payment_ref": 0 < len(payment_ref) <= 80,
            "amount": whole(amount),
            "currency": currency_code(currency),
            "status": 0 < len(status) <= 20,
            "settled_at": utc_time(settled_at) is not None,
            "card_last4": not card_last4 or (len(card_last4) == 4 and card_last4.isascii() and card_last4.isdigit()),
            "fee": whole(fee),
        }
        return [code for code, good in checks.items() if not good]
