"""Every write of electronic collection: bills, the payment state machine, provider events,
receipts, refunds and outlet payments. Money is integer IQD; every change is audited.

The package: ``bills`` (who may, obligation listeners, creating, cancelling and closing bills),
``agency_bills`` (bills other bodies post by national ID, waiting for their payer's verified ID),
``payments`` (starting a payment, the state machine: apply, sync, cancel, expire), ``webhooks``
(provider events), ``receipts``, ``refunds``, ``outlets`` (in-person card payments),
``outlet_network`` (outlets, their terminals and cashiers, run by the entity's head),
``discrepancies`` (flagging and resolving).
"""

from collection.services.agency_bills import bill_post, obligations_claim_verified
from collection.services.bills import (
    OBLIGATION_LISTENERS,
    REFUND_ROLES,
    STAFF_ROLES,
    ObligationListener,
    obligation_cancel,
    obligation_cancel_unpaid,
    obligation_close,
    obligation_create,
    obligation_listener_register,
)
from collection.services.discrepancies import discrepancy_flag, discrepancy_resolve
from collection.services.outlet_network import (
    OutletDetails,
    cashier_assign,
    cashier_unassign,
    outlet_close,
    outlet_create,
    outlet_open,
    outlet_readiness,
    outlet_update,
    terminal_add,
    terminal_close,
    terminal_reopen,
)
from collection.services.outlets import CardSlip, outlet_payment_record
from collection.services.payments import (
    Line,
    payment_apply,
    payment_cancel,
    payment_retry,
    payment_start,
    payment_sync,
    payments_expire,
)
from collection.services.receipts import (
    receipt_content,
    receipt_display,
    receipt_issue,
    receipt_pdf_context,
    receipt_serial,
)
from collection.services.refunds import (
    BillChange,
    RefundPlan,
    refund_check,
    refund_create,
    refund_remaining,
    refund_settle,
    refund_sync,
    refunds_pending_sync,
    refunds_sync_for,
)
from collection.services.webhooks import payment_event_process, webhook_receive

__all__ = [
    "OBLIGATION_LISTENERS",
    "REFUND_ROLES",
    "STAFF_ROLES",
    "BillChange",
    "CardSlip",
    "Line",
    "ObligationListener",
    "OutletDetails",
    "cashier_assign",
    "cashier_unassign",
    "RefundPlan",
    "discrepancy_flag",
    "discrepancy_resolve",
    "bill_post",
    "obligation_cancel",
    "obligation_cancel_unpaid",
    "obligation_close",
    "obligation_create",
    "obligation_listener_register",
    "obligations_claim_verified",
    "outlet_close",
    "outlet_create",
    "outlet_open",
    "outlet_payment_record",
    "outlet_readiness",
    "outlet_update",
    "payment_apply",
    "payment_cancel",
    "payment_event_process",
    "payment_retry",
    "payment_start",
    "payment_sync",
    "payments_expire",
    "receipt_content",
    "receipt_display",
    "receipt_issue",
    "receipt_pdf_context",
    "receipt_serial",
    "refund_check",
    "refund_create",
    "terminal_add",
    "terminal_close",
    "terminal_reopen",
    "refund_remaining",
    "refund_settle",
    "refund_sync",
    "refunds_pending_sync",
    "refunds_sync_for",
    "webhook_receive",
]
