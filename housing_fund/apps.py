from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingFundConfig(AppConfig):
    name = "housing_fund"
    verbose_name = _("Housing fund")

    def ready(self) -> None:
        from collection.selectors import origin_finder_register
        from collection.services import obligation_listener_register
        from govportal.accounts.services import national_id_listener_register
        from govportal.audit import labels
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS
        from housing_fund.demo import demo_loans
        from housing_fund.models import Statement
        from housing_fund.selectors import loan_origin
        from housing_fund.services import installments_sync, loans_claim_verified, statement_pdf_context
        from housing_fund.workspace import housing_cards, housing_citizen_cards

        obligation_listener_register(installments_sync)
        national_id_listener_register(loans_claim_verified)
        origin_finder_register(loan_origin)
        workspace.register(housing_cards)
        workspace.register_citizen(housing_citizen_cards)
        printable_register(
            Statement,
            field="pdf",
            template="housing_fund/statement_pdf.html",
            context=statement_pdf_context,
            filename=lambda statement: f"{statement.serial}.pdf",
            select_related=("loan__branch__parent", "artifact"),
            since="issued_at",
        )
        labels.register(
            {
                "loan_create": _("Loan created"),
                "loan_import": _("Loans imported"),
                "loan_link": _("Loan linked to the borrower's account"),
                "loan_link_fail": _("Failed attempt to link a loan"),
                "loan_settle": _("Loan paid off"),
                "reschedule_propose": _("Rescheduling proposed"),
                "reschedule_approve": _("Rescheduling approved"),
                "reschedule_reject": _("Rescheduling rejected"),
                "statement_issue": _("Account statement issued"),
            }
        )
        labels.register_sentences(
            {
                "loan_create": _("Loan %(target)s was created"),
                "loan_import": _("Loans were imported from file %(target)s"),
                "loan_link": _("Loan %(target)s was linked to its borrower's account"),
                "loan_link_fail": _("An attempt to link a loan to an account failed"),
                "loan_settle": _("Loan %(target)s was paid off"),
                "reschedule_propose": _("A new schedule was proposed for loan %(target)s"),
                "reschedule_approve": _("The new schedule of loan %(target)s was approved"),
                "reschedule_reject": _("The new schedule of loan %(target)s was rejected"),
                "statement_issue": _("An account statement of loan %(target)s was issued"),
            }
        )
        if demo_loans not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_loans)
