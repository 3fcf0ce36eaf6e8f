"""Telling the API client that posted a bill what happened to it: paid, partly paid, refunded,
cancelled. Called by the services that make those changes, inside their transaction; the core
(``govportal.api.notifications``) stores each event there and posts it after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from collection import selectors
from collection.constants import CURRENCY, ObligationStatus
from collection.models import Obligation, Payment, Refund
from govportal.api.constants import NotificationEvent
from govportal.api.models import ApiClient
from govportal.api.notifications import notification_send

if TYPE_CHECKING:
    from collection.services.refunds import BillChange


def bill_data(bill: Obligation) -> dict[str, Any]:
    """A bill as the agency that posted it sees it in a notification."""
    return {
        "id": str(bill.pk),
        "reference": bill.reference,
        "amount": bill.amount,
        "amount_paid": bill.amount_paid,
        "amount_due": 0 if bill.status in (ObligationStatus.CANCELLED, ObligationStatus.WAIVED) else bill.remaining,
        "currency": CURRENCY,
        "due_date": bill.due_date,
        "status": bill.status,
    }


def _payment_data(payment: Payment) -> dict[str, Any]:
    return {
        "id": str(payment.pk),
        "reference": payment.payment_ref,
        "amount": payment.amount,
        "method": payment.method,
        "status": payment.status,
        "paid_at": payment.succeeded_at,
    }


def bills_paid_tell(*, payment: Payment) -> None:
    """``payment`` succeeded and its bills were credited: ``bill.paid`` or ``bill.partially_paid``
    for each bill posted through the API, with what this payment put on it."""
    for allocation in payment.allocations.select_related("obligation").order_by("obligation__due_date"):
        bill = allocation.obligation
        client = selectors.bill_api_client(bill)
        if client is None:
            continue
        paid = bill.status == ObligationStatus.PAID
        notification_send(
            client=client,
            event=NotificationEvent.BILL_PAID if paid else NotificationEvent.BILL_PARTIALLY_PAID,
            subject=bill.reference,
            data={"bill": bill_data(bill), "payment": {**_payment_data(payment), "amount_for_bill": allocation.amount}},
        )


def payment_refunded_tell(*, payment: Payment, refund: Refund, changes: Sequence[BillChange]) -> None:
    """A refund of ``payment`` went through and ``changes`` were made to its bills (already saved):
    ``payment.refunded`` to each client among the bills' posters, with its own bills only."""
    by_client: dict[Any, tuple[ApiClient, list[dict[str, Any]]]] = {}
    for change in changes:
        client = selectors.bill_api_client(change.obligation)
        if client is not None:
            entry = by_client.setdefault(client.pk, (client, []))
            entry[1].append({**bill_data(change.obligation), "refunded": change.take})
    for client, bills in by_client.values():
        notification_send(
            client=client,
            event=NotificationEvent.PAYMENT_REFUNDED,
            subject=payment.payment_ref,
            data={
                "payment": {**_payment_data(payment), "refunded_amount": payment.refunded_amount},
                "refund": {"id": str(refund.pk), "amount": refund.amount, "reason": refund.reason},
                "bills": bills,
            },
        )


def bill_cancelled_tell(*, bill: Obligation) -> None:
    """``bill`` was cancelled (nothing was paid on it)."""
    client = selectors.bill_api_client(bill)
    if client is not None:
        notification_send(
            client=client,
            event=NotificationEvent.BILL_CANCELLED,
            subject=bill.reference,
            data={"bill": bill_data(bill)},
        )
