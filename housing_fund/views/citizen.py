"""A borrower's own pages: link the loan, see the schedule, pay installments, get a statement."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govportal.pdf.views import isolated, pdf_page
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest
from govportal.web.ratelimit import rate_limited
from housing_fund import selectors, services
from housing_fund.constants import LINK_ATTEMPTS_PER_HOUR
from housing_fund.forms import LinkForm, LoanPayForm
from housing_fund.models import Loan, Statement


@login_required
def my_loans(request: HttpRequest) -> HttpResponse:
    loans = list(selectors.loans_of_citizen(request.user))
    if len(loans) == 1:
        return redirect("housing_fund:my_loan", pk=loans[0].pk)
    return render(request, "housing_fund/my_loans.html", {"loans": loans})


@login_required
def link(request: HttpRequest) -> HttpResponse:
    """Loan number + national ID + date of birth, a few attempts an hour."""
    form = LinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, scope=f"loan-link:{request.user.pk}", limit=LINK_ATTEMPTS_PER_HOUR, window=3600):
            form.add_error(None, _("Too many attempts. For your security, try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                loan = services.loan_link(
                    user=request.user,
                    number=form.cleaned_data["number"],
                    national_id=form.cleaned_data["national_id"],
                    birth_date=form.cleaned_data["birth_date"],
                    request=request,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Loan %(number)s is now linked to your account.") % {"number": loan.number})
                return redirect("housing_fund:my_loan", pk=loan.pk)
        else:
            status = 400
    return render(request, "housing_fund/link.html", {"form": form}, status=status)


def _own_loan(request: HttpRequest, pk: UUID) -> Loan:
    return get_object_or_404(selectors.loans_of_citizen(request.user), pk=pk)


def _loan_page(request: HttpRequest, loan: Loan, form: LoanPayForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    installments = list(services.current_installments(loan))
    unpaid = [item for item in installments if item.paid < item.amount]
    context = services.statement_context(loan)
    return render(
        request,
        "housing_fund/my_loan.html",
        {
            "loan": loan,
            "rows": [(item, selectors.installment_state(item, today)) for item in installments],
            "balance": context["balance"],
            "paid_total": context["paid_total"],
            "payments": context["payments"],
            "quote": services.settlement_quote(loan, today),
            "next_due": unpaid[0] if unpaid else None,
            "overdue": sum(item.remaining for item in unpaid if item.due_date < today),
            "form": form or LoanPayForm(unpaid=len(unpaid), initial={"how": "count", "count": 1}),
            "statements": loan.statements.all()[:5],
        },
        status=status,
    )


@login_required
def loan(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _loan_page(request, _own_loan(request, pk))


@login_required
@require_POST
def pay(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Pay the next N installments or any amount: the collection checkout takes it from here."""
    loan = _own_loan(request, pk)
    unpaid = services.current_installments(loan).filter(paid__lt=F("amount")).count()
    form = LoanPayForm(request.POST, unpaid=unpaid)
    if form.is_valid():
        try:
            payment = services.loan_pay_start(
                loan=loan,
                payer=request.user,
                count=form.cleaned_data["count"] if form.cleaned_data["how"] == "count" else None,
                amount=form.cleaned_data["amount"] if form.cleaned_data["how"] == "amount" else None,
                base_url=request.build_absolute_uri("/"),
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(payment.checkout_url or reverse("collection:payment_detail", args=[payment.pk]))
    return _loan_page(request, loan, form=form, status=400)


@login_required
@require_POST
def statement(request: HttpRequest, pk: UUID) -> HttpResponse:
    item = services.statement_issue(loan=_own_loan(request, pk), actor=request.user)
    return redirect("housing_fund:statement_pdf", pk=item.pk)


@login_required
def statement_pdf(request: HttpRequest, pk: UUID) -> HttpResponse | FileResponse:
    """A statement, for its borrower or the branch's staff: "being prepared" until the worker
    has rendered it, then the PDF."""
    item = get_object_or_404(Statement.objects.select_related("loan"), pk=pk)
    own = item.loan.borrower_id == request.user.pk
    if not own and not selectors.portfolio(request.user).filter(pk=item.loan_id).exists():
        raise Http404
    return pdf_page(
        request,
        item,
        title=_("The account statement is being prepared"),
        document=isolated(_("Statement %(serial)s of loan %(number)s"), serial=item.serial, number=item.loan.number),
        back_url=reverse("housing_fund:my_loan" if own else "housing_fund:loan", args=[item.loan_id]),
        back_label=_("Back to the loan"),
        parent=isolated(_("Housing loan %(number)s"), number=item.loan.number),
        attachment=True,
    )
