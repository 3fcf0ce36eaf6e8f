from django.urls import path

from collection.views import citizen, fib, outlet_directory, outlet_network, outlets, reconciliation, staff, webhooks

app_name = "collection"
urlpatterns = [
    # Citizens
    path("", citizen.bills, name="bills"),
    path("pay/", citizen.pay, name="pay"),
    path("payments/", citizen.payments, name="payments"),
    path("payments/<uuid:pk>/", citizen.payment_detail, name="payment_detail"),
    path("payments/<uuid:pk>/return/", citizen.payment_return, name="payment_return"),
    path("payments/<uuid:pk>/cancel/", citizen.payment_cancel, name="payment_cancel"),
    path("payments/<uuid:pk>/retry/", citizen.payment_retry, name="payment_retry"),
    path("receipts/<uuid:pk>.pdf", citizen.receipt_pdf, name="receipt_pdf"),
    # Provider notifications
    path("webhooks/<str:provider>/", webhooks.webhook, name="webhook"),
    # Staff
    path("staff/payments/", staff.payments, name="staff_payments"),
    path("staff/payments/<uuid:pk>/", staff.payment, name="staff_payment"),
    path("staff/payments/<uuid:pk>/refund/", staff.refund, name="refund"),
    path("staff/payments/<uuid:pk>/refund/confirm/", staff.refund_confirm, name="refund_confirm"),
    path("staff/refunds/", staff.refunds, name="staff_refunds"),
    # Outlets
    path("outlet/", outlets.counter, name="outlet"),
    path("outlet/pay/", outlets.record, name="outlet_record"),
    path("outlet/payments/<uuid:pk>/", outlets.done, name="outlet_done"),
    path("outlet/closing/", outlets.closing, name="outlet_closing"),
    # Where citizens pay in person (public)
    path("outlets/", outlet_directory.outlet_directory, name="outlets"),
    # The entity's head runs its outlets
    path("staff/outlets/", outlet_network.outlet_list, name="outlet_list"),
    path("staff/outlets/new/", outlet_network.outlet_create, name="outlet_create"),
    path("staff/outlets/<str:code>/", outlet_network.outlet_detail, name="outlet_detail"),
    path("staff/outlets/<str:code>/edit/", outlet_network.outlet_edit, name="outlet_edit"),
    path("staff/outlets/<str:code>/open/", outlet_network.outlet_open, name="outlet_open"),
    path("staff/outlets/<str:code>/close/", outlet_network.outlet_close, name="outlet_close"),
    path("staff/outlets/<str:code>/terminals/new/", outlet_network.terminal_add, name="terminal_add"),
    path("staff/outlets/<str:code>/terminals/<int:pk>/close/", outlet_network.terminal_close, name="terminal_close"),
    path("staff/outlets/<str:code>/terminals/<int:pk>/reopen/", outlet_network.terminal_reopen, name="terminal_reopen"),
    path("staff/outlets/<str:code>/cashiers/", outlet_network.cashier_assign, name="cashier_assign"),
    path(
        "staff/outlets/<str:code>/cashiers/<int:user_pk>/unassign/",
        outlet_network.cashier_unassign,
        name="cashier_unassign",
    ),
    path("payments/<uuid:pk>/fib/", fib.checkout, name="fib_checkout"),
    # Settlement reconciliation (staff)
    path("staff/settlements/", reconciliation.settlements, name="settlements"),
    path("staff/settlements/fetch/", reconciliation.settlement_fetch, name="settlement_fetch"),
    path("staff/settlements/fetch/<uuid:pk>/", reconciliation.settlement_fetch_detail, name="settlement_fetch_detail"),
    path("staff/settlements/<uuid:pk>/", reconciliation.settlement_detail, name="settlement_detail"),
    path("staff/discrepancies/", reconciliation.discrepancies, name="discrepancies"),
    path("staff/discrepancies/<int:pk>/", reconciliation.discrepancy_detail, name="discrepancy"),
    path("staff/discrepancies/<int:pk>/resolve/", reconciliation.discrepancy_resolve, name="discrepancy_resolve"),
    path("staff/reconciliation/", reconciliation.reconciliation_day, name="reconciliation_day"),
    path("staff/reconciliation/export.csv", reconciliation.reconciliation_day_csv, name="reconciliation_day_csv"),
]
