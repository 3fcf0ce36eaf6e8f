"""Electronic collection in the admin: every model is a record (read-only, see
govportal.web.admin); what an operator may do to one is a record action calling
collection.services, which audits it.

Outlets, their terminals and cashier assignments are read-only here too: the collecting entity's
head runs them from the staff pages (collection.services.outlet_network), where each change is
audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from collection.constants import ACTIVE, Provider
from collection.forms import ResolveForm
from collection.models import (
    Allocation,
    CashierAssignment,
    Discrepancy,
    MerchantAccount,
    Obligation,
    Outlet,
    Payment,
    PaymentEvent,
    Receipt,
    Refund,
    SandboxCharge,
    SandboxRefund,
    Settlement,
    SettlementFetch,
    SettlementFile,
    SettlementRow,
    Terminal,
)
from collection.providers import ProviderError
from collection.services import (
    discrepancy_resolve,
    payment_cancel,
    payment_event_process,
    payment_sync,
)
from govportal.audit import labels
from govportal.audit.services import audit_record
from govportal.web.admin import (
    ReadOnlyInline,
    ReasonForm,
    RecordAction,
    RecordAdmin,
    dinars,
    has_pdf,
    operator,
    pdf_render_again_action,
)

labels.register(
    {
        "payment_event_process": _("Provider event processed again from the admin"),
        "merchant_account_save": _("Merchant account saved"),
        "merchant_account_delete": _("Merchant account removed"),
    }
)


# --- bills and payments -------------------------------------------------------------------------


@admin.register(Obligation)
class ObligationAdmin(RecordAdmin):
    list_display = [
        "reference",
        "payer",
        "collecting_entity",
        "purpose",
        dinars(Obligation, "amount"),
        dinars(Obligation, "amount_paid"),
        "due_date",
        "status",
    ]
    list_filter = ["status", "purpose"]
    search_fields = ["reference__exact", "=payer__email", "=collecting_entity__code"]
    list_select_related = ["payer", "collecting_entity"]
    date_hierarchy = "due_date"
    show_full_result_count = False


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ["obligation", "amount", "refunded"]


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["amount", "reason", "note", "status", "failure_reason", "provider_ref", "created_by", "created_at"]


def _payment_cancel(request: HttpRequest, payment: Payment, data: dict[str, Any]) -> None:
    payment_cancel(payment=payment, actor=operator(request), reason=f"cancelled_by_admin: {data['reason']}"[:200])


def _payment_sync(request: HttpRequest, payment: Payment, data: dict[str, Any]) -> None:
    payment_sync(payment=payment)


@admin.register(Payment)
class PaymentAdmin(RecordAdmin):
    list_display = [
        "payment_ref",
        "payer",
        "collecting_entity",
        dinars(Payment, "amount"),
        "method",
        "provider",
        "status",
        "created_at",
        "succeeded_at",
    ]
    list_filter = ["status", "method", "provider"]
    search_fields = ["payment_ref__exact", "provider_ref__exact", "rrn__exact", "=payer__email"]
    list_select_related = ["payer", "collecting_entity"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AllocationInline, RefundInline]
    record_actions = [
        RecordAction(
            name="cancel",
            label=_("Cancel the selected pending payments"),
            button=_("Cancel this payment"),
            run=_payment_cancel,
            done=lambda n: ngettext("%(count)d payment cancelled.", "%(count)d payments cancelled.", n) % {"count": n},
            applies=lambda payment: payment.status in ACTIVE,
            consequences=[
                _(
                    "The payment is first cancelled with the payment company. If the company reports that the card "
                    "was charged, the payment counts as paid instead and its receipt is issued."
                ),
                _(
                    "A cancelled payment cannot be resumed: the citizen starts a new payment for the same bills, "
                    "which become free to pay at once."
                ),
                _("The cancellation and your reason are recorded in the audit log."),
            ],
            form=ReasonForm,
            confirm=_("Yes, cancel the payment"),
            not_applicable=_("Only a payment not yet finished (created or pending) can be cancelled."),
        ),
        RecordAction(
            name="sync",
            label=_("Ask the provider for the status of the selected payments"),
            button=_("Ask the provider for the status"),
            run=_payment_sync,
            done=lambda n: (
                ngettext(
                    "The provider was asked about %(count)d payment.",
                    "The provider was asked about %(count)d payments.",
                    n,
                )
                % {"count": n}
            ),
            applies=lambda payment: payment.status in ACTIVE and payment.provider != Provider.OUTLET,
            not_applicable=_("Only an online payment not yet finished has a status to ask for."),
        ),
    ]


@admin.register(Allocation)
class AllocationAdmin(RecordAdmin):
    list_display = ["payment", "obligation", dinars(Allocation, "amount"), dinars(Allocation, "refunded")]
    search_fields = ["payment__payment_ref__exact", "obligation__reference__exact"]
    list_select_related = ["payment", "obligation"]
    show_full_result_count = False


def _event_process(request: HttpRequest, event: PaymentEvent, data: dict[str, Any]) -> None:
    """The task's own work, asked for by an operator (a task lost in a crash, a provider that was down)."""
    try:
        outcome = payment_event_process(event_id=event.pk)
    except ProviderError as error:
        raise ValidationError(gettext("The payment service is not answering. Try again in a few minutes.")) from error
    audit_record(
        action="payment_event_process",
        actor=operator(request),
        target=event,
        data={"event_id": event.event_id, "provider": event.provider, "outcome": str(outcome)},
        request=request,
    )


@admin.register(PaymentEvent)
class PaymentEventAdmin(RecordAdmin):
    list_display = ["event_id", "provider", "kind", "payment_ref", "received_at", "processed_at", "outcome"]
    list_filter = ["provider", "outcome", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id__exact", "payment_ref__exact"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    record_actions = [
        RecordAction(
            name="process",
            label=_("Process the selected provider events"),
            button=_("Process this event"),
            run=_event_process,
            done=lambda n: (
                ngettext("%(count)d provider event processed.", "%(count)d provider events processed.", n)
                % {"count": n}
            ),
            applies=lambda event: event.processed_at is None,
            not_applicable=_(
                "An event already processed keeps its outcome; ask the provider for the payment's status instead."
            ),
        )
    ]


@admin.register(Refund)
class RefundAdmin(RecordAdmin):
    list_display = ["payment", dinars(Refund, "amount"), "reason", "status", "created_by", "created_at", "decided_at"]
    list_filter = ["status", "reason"]
    search_fields = ["payment__payment_ref__exact", "provider_ref__exact"]
    list_select_related = ["payment", "created_by"]
    date_hierarchy = "created_at"


# --- receipts ----------------------------------------------------------------------------------


@admin.register(Receipt)
class ReceiptAdmin(RecordAdmin):
    list_display = ["serial", "payment", "collecting_entity", "issued_at", has_pdf]
    list_filter = [("pdf", admin.EmptyFieldListFilter)]
    search_fields = ["serial__exact", "payment__payment_ref__exact"]
    list_select_related = ["payment", "collecting_entity"]
    date_hierarchy = "issued_at"
    show_full_result_count = False
    exclude = ["pdf"]  # downloaded through the portal's permission-checked view
    record_actions = [
        pdf_render_again_action(
            replaced=_("The stored PDF of each selected receipt is replaced by a new rendering of the receipt."),
            done=lambda n: (
                ngettext(
                    "The PDF of %(count)d receipt was rendered again.",
                    "The PDFs of %(count)d receipts were rendered again.",
                    n,
                )
                % {"count": n}
            ),
        )
    ]


# --- outlets, settlement and reconciliation ----------------------------------------------------


@admin.register(Outlet)
class OutletAdmin(RecordAdmin):
    list_display = ["code", "name_ar", "name_en", "entity", "governorate", "status", "opened_at", "closed_at"]
    list_filter = ["status", "governorate"]
    search_fields = ["code", "name_ar", "name_en", "=entity__code"]
    list_select_related = ["entity"]
    date_hierarchy = "created_at"


@admin.register(Terminal)
class TerminalAdmin(RecordAdmin):
    list_display = ["terminal_id", "outlet", "serial_number", "acquirer", "created_at", "closed_at"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["terminal_id", "serial_number", "=outlet__code"]
    list_select_related = ["outlet"]
    date_hierarchy = "created_at"


@admin.register(CashierAssignment)
class CashierAssignmentAdmin(RecordAdmin):
    list_display = ["cashier", "outlet", "assigned_at", "assigned_by"]
    search_fields = ["cashier__email", "cashier__full_name", "=outlet__code"]
    list_select_related = ["cashier", "outlet", "assigned_by"]
    date_hierarchy = "assigned_at"


@admin.register(MerchantAccount)
class MerchantAccountAdmin(admin.ModelAdmin):
    """Which collecting entity a payment company's merchant account belongs to: its settlement files
    are that entity's (only its staff import them, and they settle only its payments)."""

    list_display = ["account_id", "provider", "entity", "created_at"]
    list_filter = ["provider"]
    search_fields = ["account_id", "=entity__code", "entity__name_ar", "entity__name_en"]
    autocomplete_fields = ["entity"]
    list_select_related = ["entity"]

    def save_model(self, request: HttpRequest, obj: MerchantAccount, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="merchant_account_save", actor=request.user, target=obj, request=request,
            data={"provider": obj.provider, "account": obj.account_id, "entity": obj.entity.code, "changed": change},
        )  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: MerchantAccount) -> None:
        audit_record(
            action="merchant_account_delete", actor=request.user, target=obj, request=request,
            data={"provider": obj.provider, "account": obj.account_id, "entity": obj.entity.code},
        )  # fmt: skip
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for account in queryset.select_related("entity"):
            self.delete_model(request, account)


@admin.register(SettlementFile)
class SettlementFileAdmin(RecordAdmin):
    list_display = [
        "name", "provider", "entity", "account", "status", "rows_total", "rows_done", "uploaded_by", "created_at",
        "finished_at",
    ]  # fmt: skip
    list_filter = ["provider", "status"]
    search_fields = ["name", "sha256__exact", "account__exact"]
    list_select_related = ["uploaded_by", "entity"]
    date_hierarchy = "created_at"
    exclude = ["upload"]  # the file is kept whole for audit; staff read it through reconciliation


@admin.register(SettlementFetch)
class SettlementFetchAdmin(RecordAdmin):
    list_display = ["provider", "day", "status", "requested_by", "requested_at", "finished_at", "file"]
    list_filter = ["provider", "status"]
    list_select_related = ["requested_by", "file"]
    date_hierarchy = "requested_at"


@admin.register(Settlement)
class SettlementAdmin(RecordAdmin):
    list_display = ["payment", "file", "line", "txn_id", "settled_at", dinars(Settlement, "fee")]
    search_fields = ["txn_id__exact", "payment__payment_ref__exact"]
    list_select_related = ["payment", "file"]
    date_hierarchy = "settled_at"
    show_full_result_count = False


@admin.register(SettlementRow)
class SettlementRowAdmin(RecordAdmin):
    list_display = [
        "file",
        "line",
        "txn_id",
        "payment_ref",
        dinars(SettlementRow, "amount"),
        "currency",
        "status",
        "outcome",
        "settled_at",
    ]
    list_filter = ["outcome"]
    search_fields = ["txn_id__exact", "payment_ref__exact"]
    list_select_related = ["file"]
    date_hierarchy = "settled_at"
    show_full_result_count = False


def _discrepancy_resolve(request: HttpRequest, discrepancy: Discrepancy, data: dict[str, Any]) -> None:
    discrepancy_resolve(
        discrepancy=discrepancy,
        resolution=data["resolution"],
        note=data["note"],
        actor=operator(request),
        request=request,
    )


@admin.register(Discrepancy)
class DiscrepancyAdmin(RecordAdmin):
    list_display = [
        "kind",
        "provider",
        "collecting_entity",
        "payment",
        dinars(Discrepancy, "expected_amount"),
        dinars(Discrepancy, "reported_amount"),
        "created_at",
        "resolution",
        "resolved_at",
    ]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "kind", "provider", "resolution"]
    search_fields = ["payment__payment_ref__exact", "row__txn_id__exact", "=collecting_entity__code"]
    list_select_related = ["collecting_entity", "payment"]
    date_hierarchy = "created_at"

    record_actions = [
        RecordAction(
            name="resolve",
            label=_("Resolve the selected discrepancies"),
            button=_("Resolve this discrepancy"),
            run=_discrepancy_resolve,
            done=lambda n: (
                ngettext("%(count)d discrepancy resolved.", "%(count)d discrepancies resolved.", n) % {"count": n}
            ),
            applies=lambda discrepancy: discrepancy.resolved_at is None,
            consequences=[
                _("The discrepancy leaves the open queue with what was done and your note; it cannot be reopened."),
                _("The resolution, the note and your name are recorded in the audit log."),
            ],
            form=ResolveForm,
            confirm=_("Yes, resolve"),
            who=_(
                "Only a fund officer or the head of the collecting entity resolves its discrepancies: an "
                "administrator needs one of those roles there first (granted on the Memberships page, audited)."
            ),
            not_applicable=_("It is already resolved."),
        )
    ]

    def record_label(self, discrepancy: Discrepancy) -> str:
        reference = discrepancy.payment.payment_ref if discrepancy.payment else discrepancy.row_id
        return f"{discrepancy.get_kind_display()} — {reference}"


@admin.register(SandboxCharge)
class SandboxChargeAdmin(RecordAdmin):
    """The sandbox payment company's own ledger (it plays the provider's side)."""

    list_display = [
        "id",
        "payment_ref",
        "merchant",
        dinars(SandboxCharge, "amount"),
        "state",
        "created_at",
        "completed_at",
    ]
    list_filter = ["state"]
    search_fields = ["id__exact", "payment_ref__exact"]
    date_hierarchy = "created_at"


@admin.register(SandboxRefund)
class SandboxRefundAdmin(RecordAdmin):
    """The sandbox payment company's own record of the refunds it was asked for."""

    list_display = ["id", "charge", dinars(SandboxRefund, "amount"), "state", "reason", "created_at"]
    list_filter = ["state"]
    search_fields = ["id__exact", "key__exact", "charge__payment_ref__exact"]
    list_select_related = ["charge"]
    date_hierarchy = "created_at"
