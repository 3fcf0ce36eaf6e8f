from django.urls import path

from collection.views import citizen, fib, outlets, staff, webhooks

app_name = "collection"
urlpatterns = [
    # Citizens
    path("", citizen.bills, name="bills"),
    path("pay/", citizen.pay, name="pay"),
    path("payments/", citizen.payments, name="payments"),
    path("payments/<uuid:pk>/", citizen.payment_detail, name="payment_detail"),
    path("payments/<uuid:pk>/return/", citizen.payment_return, name="payment_return"),
    path("payments/<uuid:pk>/cancel/", citizen.payment_cancel, name="payment_cancel"),
    path("receipts/<uuid:pk>.pdf", citizen.receipt_pdf, name="receipt_pdf"),
    # Provider notifications
    path("webhooks/<str:provider>/", webhooks.webhook, name="webhook"),
    # Staff
    path("staff/payments/", staff.payments, name="staff_payments"),
    path("staff/payments/<uuid:pk>/", staff.payment, name="staff_payment"),
    path("staff/payments/<uuid:pk>/refund/", staff.refund, name="refund"),
    # Outlets
    path("outlet/", outlets.counter, name="outlet"),
    path("outlet/pay/", outlets.record, name="outlet_record"),
    path("outlet/payments/<uuid:pk>/", outlets.done, name="outlet_done"),
    path("outlet/closing/", outlets.closing, name="outlet_closing"),
    path("payments/<uuid:pk>/fib/", fib.checkout, name="fib_checkout"),
]
