"""A borrower's own pages: link the loan, see the schedule, pay installments, get a statement."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
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
from housing_fund.constants import LINK_ATTEMPTS_PER_HOUR, InstallmentState
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


# The loan page shows what is due and the next few installments; the whole schedule is paged.
NEXT_INSTALLMENTS = 3
SCHEDULE_PAGE = 12


def _pay_form(request: HttpRequest, unpaid: int) -> LoanPayForm:
    """The pay form, as the borrower left it when they come back to change what to pay."""
    initial = {"how": "count", "count": 1}
    initial.update({key: request.GET[key] for key in ("how", "count", "amount") if request.GET.get(key)})
    return LoanPayForm(unpaid=unpaid, initial=initial)


def _loan_page(request: HttpRequest, loan: Loan, form: LoanPayForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    installments = list(services.current_installments(loan))
    unpaid = [item for item in installments if item.paid < item.amount]
    rows = [(item, selectors.installment_state(item, today)) for item in unpaid]
    pressing = [row for row in rows if row[1] != InstallmentState.UPCOMING]
    context = services.statement_context(loan)
    return render(
        request,
        "housing_fund/my_loan.html",
        {
            "loan": loan,
            "rows": pressing + [row for row in rows if row[1] == InstallmentState.UPCOMING][:NEXT_INSTALLMENTS],
            "installments_count": len(installments),
            "paid_count": len(installments) - len(unpaid),
            "balance": context["balance"],
            "paid_total": context["paid_total"],
            "payments": context["payments"],
            "quote": services.settlement_quote(loan, today),
            "next_due": unpaid[0] if unpaid else None,
            "overdue": sum(item.remaining for item in unpaid if item.due_date < today),
            "form": form or _pay_form(request, len(unpaid)),
            "statements": loan.statements.all()[:5],
        },
        status=status,
    )


@login_required
def loan(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _loan_page(request, _own_loan(request, pk))


@login_required
def schedule(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Every installment of the current schedule, a page at a time (a year a page); the first page
    shown is the one holding the next installment to pay."""
    loan = _own_loan(request, pk)
    installments = services.current_installments(loan)
    paginator = Paginator(installments, SCHEDULE_PAGE)
    number = request.GET.get("page")
    if number is None:
        paid = installments.filter(paid__gte=F("amount")).count()
        number = str(min(paid, max(paginator.count - 1, 0)) // SCHEDULE_PAGE + 1)
    page = paginator.get_page(number)
    today = timezone.localdate()
    return render(
        request,
        "housing_fund/my_schedule.html",
        {"loan": loan, "page": page, "rows": [(item, selectors.installment_state(item, today)) for item in page]},
    )


@login_required
def pay(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Check and pay (GET: what the chosen installments or amount pay, and the total), then start the
    payment (POST): the collection checkout takes it from there."""
    loan = _own_loan(request, pk)
    if request.method != "POST" and not request.GET:
        return redirect("housing_fund:my_loan", pk=loan.pk)
    unpaid = services.current_installments(loan).filter(paid__lt=F("amount")).count()
    form = LoanPayForm(request.POST if request.method == "POST" else request.GET, unpaid=unpaid)
    if not form.is_valid():
        return _loan_page(request, loan, form=form, status=400)
    chosen = form.chosen()
    try:
        if request.method == "POST":
            payment = services.loan_pay_start(
                loan=loan,
                payer=request.user,
                base_url=request.build_absolute_uri("/"),
                request=request,
                count=chosen["count"],
                amount=chosen["amount"],
            )
            return redirect(payment.checkout_url or reverse("collection:payment_detail", args=[payment.pk]))
        plan = services.payment_plan(loan=loan, count=chosen["count"], amount=chosen["amount"])
    except ValidationError as error:
        apply_service_errors(form, error)
        return _loan_page(request, loan, form=form, status=400)
    today = timezone.localdate()
    return render(
        request,
        "housing_fund/pay_check.html",
        {
            "loan": loan,
            "form": form,
            "plan": [(item, take, selectors.installment_state(item, today)) for item, take in plan],
            "total": sum(take for _item, take in plan),
            "change_url": f"{reverse('housing_fund:my_loan', args=[loan.pk])}?{request.GET.urlencode()}#pay",
        },
    )


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
