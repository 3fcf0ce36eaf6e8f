"""First Iraqi Bank's transaction report, shaped on its web-payments API.

What is assumed: FIB's published API (``collection.providers.fib``) offers no settlement download;
a merchant receives its report another way. We take that report to be an export of the payments
of one merchant account as the API describes each one (``GET …/payments/{id}/status``), one
payment a line, as CSV with the JSON fields' paths for a header::

    accountId,paymentId,status,amount.amount,amount.currency,paidAt,paidBy.name,paidBy.iban

- ``accountId``: the merchant account the report is for (the same on every line; ``MerchantAccount``);
- ``paymentId``: FIB's id of the payment, our ``Payment.provider_ref``;
- ``status``: ``PAID``, ``REFUND_REQUESTED`` or ``REFUNDED``: the report lists the payments that
  moved money. ``UNPAID`` and ``DECLINED`` payments moved none and are refused, so that an export
  of every attempt is noticed rather than half read;
- ``amount.amount`` whole dinars, ``amount.currency`` ``IQD``;
- ``paidAt``: ISO 8601 with its offset (``2026-11-20T10:31:07Z`` or ``…+03:00``);
- ``paidBy.name`` (at most 200 characters) and ``paidBy.iban`` (empty, or an Iraqi IBAN of 23
  characters): the payer as FIB names them, kept in the stored file only.

FIB's API states no fee per payment, so none is recorded (0): a commission, if any, is on the
bank statement. A refunded payment was paid first: it settles the payment (which we then refunded).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from collection.constants import Provider
from collection.reconciliation.formats.base import SettlementFormat, Staged, currency_code

PAID_STATUSES = ("PAID", "REFUND_REQUESTED", "REFUNDED")


def _payment_id(text: str) -> bool:
    return 0 < len(text) <= 64 and text.isascii() and text.replace("-", "").isalnum()


def _amount(text: str) -> bool:
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit() and int(text) > 0


def _paid_at(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _iban(text: str) -> bool:
    return not text or (len(text) == 23 and text.startswith("IQ") and text.isascii() and text.isalnum())


class FibFormat(SettlementFormat):
    provider = Provider.FIB
    columns = [
        "accountId", "paymentId", "status", "amount.amount", "amount.currency", "paidAt", "paidBy.name", "paidBy.iban",
    ]  # fmt: skip
    payment_provider = Provider.FIB
    account_column = "accountId"
    paid_statuses = PAID_STATUSES
    problems_text: ClassVar[dict[str, Any]] = {
        "accountId": gettext_lazy("accountId must be %(account)s, the account of the file's first row"),
        "paymentId": gettext_lazy("paymentId must be 1 to 64 Latin letters, digits or hyphens"),
        "fib_status": gettext_lazy(
            "status must be PAID, REFUND_REQUESTED or REFUNDED: a payment not paid moved no money"
        ),
        "amount.amount": gettext_lazy("amount.amount must be a whole number of dinars, more than 0"),
        "amount.currency": gettext_lazy("amount.currency must be 3 capital letters, such as IQD"),
        "paidAt": gettext_lazy("paidAt must be a date and time with its offset, such as 2026-11-20T10:31:07Z"),
        "paidBy.name": gettext_lazy("paidBy.name must be at most 200 characters"),
        "paidBy.iban": gettext_lazy("paidBy.iban must be empty or an Iraqi IBAN of 23 characters (IQ…)"),
    }
    # FIB knows our payment by its own paymentId (``Payment.provider_ref``).
    join = "p.provider_ref = s.payment_ref"

    def row(self, row: list[str], account: str) -> Staged | None:
        if len(row) != 8:
            return None
        account_id, payment_id, status, amount, currency, paid_at, name, iban = row
        when = _paid_at(paid_at)
        if not (
            account_id == account
            and _payment_id(payment_id)
            and status in PAID_STATUSES
            and _amount(amount)
            and currency_code(currency)
            and when is not None
            and len(name) <= 200
            and _iban(iban)
        ):
            return None
        return (payment_id, payment_id, amount, currency, status, when, "", "0")

    def problems(self, row: list[str], account: str) -> list[str]:
        if len(row) != len(self.columns):
            return ["columns"]
        account_id, payment_id, status, amount, currency, paid_at, name, iban = row
        checks = {
            "accountId": account_id == account,
            "paymentId": _payment_id(payment_id),
            "fib_status": status in PAID_STATUSES,
            "amount.amount": _amount(amount),
            "amount.currency": currency_code(currency),
            "paidAt": _paid_at(paid_at) is not None,
            "paidBy.name": len(name) <= 200,
            "paidBy.iban": _iban(iban),
        }
        return [code for code, good in checks.items() if not good]
