"""Housing loans in the admin: every model is a record (read-only, see govportal.web.admin).
Loans come from the legacy import or ``loan_create``; schedules, installments and
reschedulings change only through housing_fund.services.

A borrower's national ID number is masked and the date of birth left out: together they are
what a citizen types to link a loan to their account.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from govportal.pdf.services import pdf_render
from govportal.web.admin import ReadOnlyInline, RecordAction, RecordAdmin, dinars, has_pdf, masked, operator
from housing_fund.models import Installment, Loan, LoanImport, Reschedule, Schedule, Statement


@admin.register(Loan)
class LoanAdmin(RecordAdmin):
    list_display = [
        "number",
        "borrower_name",
        "national_id",
        "branch",
        "purpose",
        dinars(Loan, "principal"),
        "term_months",
        "start_date",
        "status",
    ]
    list_filter = ["status", "purpose"]
    search_fields = ["number__exact", "borrower_national_id__exact", "borrower_name"]
    list_select_related = ["branch"]
    date_hierarchy = "start_date"
    show_full_result_count = False
    exclude = ["borrower_national_id", "borrower_birth_date"]
    readonly_fields = ["national_id"]

    @admin.display(description=_("borrower's national ID number"))
    def national_id(self, loan: Loan) -> str:
        return masked(loan.borrower_national_id)


class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = ["number", "due_date", "amount", "paid", "legacy_paid", "replaced"]


@admin.register(Schedule)
class ScheduleAdmin(RecordAdmin):
    list_display = ["loan", "version", "is_current", dinars(Schedule, "total"), "created_at"]
    list_filter = ["is_current"]
    search_fields = ["loan__number__exact"]
    list_select_related = ["loan"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [InstallmentInline]


@admin.register(Installment)
class InstallmentAdmin(RecordAdmin):
    list_display = [
        "loan",
        "number",
        "due_date",
        dinars(Installment, "amount"),
        dinars(Installment, "paid"),
        dinars(Installment, "legacy_paid"),
        "replaced",
    ]
    list_filter = ["replaced"]
    search_fields = ["loan__number__exact"]
    list_select_related = ["loan"]
    date_hierarchy = "due_date"
    show_full_result_count = False


@admin.register(Reschedule)
class RescheduleAdmin(RecordAdmin):
    list_display = ["loan", "term_months", "status", "proposed_by", "proposed_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["loan__number__exact"]
    list_select_related = ["loan", "proposed_by", "decided_by"]
    date_hierarchy = "proposed_at"


def statement_render(request: HttpRequest, statement: Statement, data: dict[str, Any]) -> None:
    """Render a statement's missing PDF (never again once stored: see the action's label)."""
    pdf_render(instance=statement, actor=operator(request), request=request)


@admin.register(Statement)
class StatementAdmin(RecordAdmin):
    list_display = ["serial", "loan", "issued_at", dinars(Statement, "balance"), has_pdf]
    list_filter = [("pdf", admin.EmptyFieldListFilter)]
    search_fields = ["serial__exact", "loan__number__exact"]
    list_select_related = ["loan"]
    date_hierarchy = "issued_at"
    exclude = ["pdf"]  # downloaded through the portal's permission-checked view
    record_actions = [
        RecordAction(
            name="render_pdf",
            label=_("Render the missing PDF of the selected statements"),
            button=_("Render the missing PDF"),
            run=statement_render,
            done=lambda n: (
                ngettext(
                    "The PDF of %(count)d statement was rendered.", "The PDFs of %(count)d statements were rendered.", n
                )
                % {"count": n}
            ),
            applies=lambda statement: not statement.pdf,
            not_applicable=_(
                "Its PDF is stored. A statement shows the loan on the day it was issued, so its PDF is never "
                "drawn again: issue a new statement instead."
            ),
        )
    ]


@admin.register(LoanImport)
class LoanImportAdmin(RecordAdmin):
    list_display = ["name", "branch", "status", "rows_total", "rows_done", "uploaded_by", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["name", "sha256__exact"]
    list_select_related = ["branch", "uploaded_by"]
    date_hierarchy = "created_at"
    exclude = ["upload"]  # the file holds borrowers' national IDs and dates of birth
