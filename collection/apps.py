from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "collection"
    verbose_name = _("Electronic collection")

    def ready(self) -> None:
        from collection.api import router
        from collection.demo import demo_electricity, demo_payments
        from collection.models import Receipt
        from collection.services import obligations_claim_verified, receipt_pdf_context
        from collection.workspace import collection_cards, collection_citizen_cards
        from govportal.accounts.services import national_id_listener_register
        from govportal.api.registry import router_register
        from govportal.audit import labels
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import API_CLIENT_MAKERS, SAMPLE_MAKERS

        router_register("bills", router)
        national_id_listener_register(obligations_claim_verified)
        workspace.register(collection_cards)
        workspace.register_citizen(collection_citizen_cards)
        printable_register(
            Receipt,
            field="pdf",
            template="collection/receipt_pdf.html",
            context=receipt_pdf_context,
            filename=lambda receipt: f"{receipt.serial}.pdf",
            select_related=("collecting_entity__parent", "artifact", "payment__payer", "payment__outlet"),
            since="issued_at",
        )
        labels.register(
            {
                "obligation_create": _("Bill issued"),
                "obligation_cancel": _("Bill cancelled"),
                "obligation_link": _("Bill joined to its payer's account"),
                "payment_create": _("Payment started"),
                "payment_succeed": _("Payment succeeded"),
                "payment_fail": _("Payment failed"),
                "payment_cancel": _("Payment cancelled"),
                "payment_expire": _("Payment expired"),
                "refund_request": _("Refund requested"),
                "payment_refund": _("Payment refunded"),
                "refund_fail": _("Refund refused by the provider"),
                "settlement_import": _("Settlement file imported"),
                "settlement_reconcile": _("Settlement file reconciled"),
                "settlement_fetch": _("Settlement file asked of the payment company"),
                "settlement_fetched": _("Settlement file request answered"),
                "discrepancy_resolve": _("Discrepancy resolved"),
                "outlet_create": _("Outlet set up"),
                "outlet_update": _("Outlet details changed"),
                "outlet_open": _("Outlet opened"),
                "outlet_close": _("Outlet closed"),
                "terminal_add": _("Card terminal added"),
                "terminal_close": _("Card terminal closed"),
                "terminal_reopen": _("Card terminal reopened"),
                "cashier_assign": _("Cashier assigned"),
                "cashier_unassign": _("Cashier unassigned"),
            }
        )
        labels.register_sentences(
            {
                "obligation_create": _("Bill %(target)s was issued"),
                "merchant_account_save": _("Merchant account %(target)s was saved"),
                "merchant_account_delete": _("Merchant account %(target)s was removed"),
                "obligation_cancel": _("Bill %(target)s was cancelled"),
                "obligation_link": _("Bill %(target)s joined the account of the citizen with its national ID"),
                "payment_create": _("Payment %(target)s was started"),
                "payment_succeed": _("Payment %(target)s succeeded"),
                "payment_fail": _("Payment %(target)s failed"),
                "payment_cancel": _("Payment %(target)s was cancelled"),
                "payment_expire": _("Payment %(target)s expired"),
                "refund_request": _("A refund of payment %(target)s was requested"),
                "payment_refund": _("Payment %(target)s was refunded"),
                "refund_fail": _("The provider refused a refund of payment %(target)s"),
                "settlement_import": _("Settlement file %(target)s was imported"),
                "settlement_reconcile": _("Settlement file %(target)s was reconciled"),
                "settlement_fetch": _("The payment company was asked for its settlement file (%(target)s)"),
                "settlement_fetched": _("The payment company's settlement file (%(target)s) was fetched"),
                "discrepancy_resolve": _("A discrepancy with the payment provider was resolved"),
                "outlet_create": _("Outlet %(target)s was set up"),
                "outlet_update": _("The details of outlet %(target)s were changed"),
                "outlet_open": _("Outlet %(target)s was opened"),
                "outlet_close": _("Outlet %(target)s was closed"),
                "terminal_add": _("A card terminal was added at outlet %(target)s"),
                "terminal_close": _("A card terminal at outlet %(target)s was closed"),
                "terminal_reopen": _("A card terminal at outlet %(target)s was reopened"),
                "cashier_assign": _("A cashier was assigned to outlet %(target)s"),
                "cashier_unassign": _("A cashier was unassigned from outlet %(target)s"),
                "payment_event_process": _("A payment provider's event was processed again from the administration"),
            }
        )
        if demo_payments not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_payments)
        if demo_electricity not in API_CLIENT_MAKERS:
            API_CLIENT_MAKERS.append(demo_electricity)
