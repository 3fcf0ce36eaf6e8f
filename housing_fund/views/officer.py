"""Fund officers, heads and auditors of a branch: the portfolio, a loan's full history, rescheduling
(proposed by an officer, decided by the head) and the arrears aging report. Auditors only read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors as collection_selectors
from govportal.accounts.selectors import roles_in
from govportal.accounts.validators import normalize_digits
from govportal.audit.models import AuditEvent
from govportal.verification.services import mask_id
from govportal.web.csv_export import csv_response
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest
from housing_fund import selectors, services
from housing_fund.constants import RescheduleStatus
from housing_fund.forms import ArrearsFilterForm, PortfolioFilterForm, RescheduleForm
from housing_fund.importer import import_branches
from housing_fund.models import Installment, Loan, Reschedule, Schedule

PAGE_SIZE = 25


def _holds(roles: set[str], wanted: Iterable[str]) -> bool:
    return bool(roles & {str(role) for role in wanted})


def _branches(request: HttpRequest) -> QuerySet[Any]:
    """The user's branches (fund officer, head or auditor); 404 for everyone else."""
    branches = selectors.branches(request.user)
    if not branches.exists():
        raise Http404
    return branches


# --- CSV -------------------------------------------------------------------------------------


# --- Portfolio -------------------------------------------------------------------------------


def _with_figures(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    """Each loan with its balance and the due date of its oldest unpaid installment (one subquery
    each, over the partial index of unpaid installments)."""
    unpaid = Installment.objects.filter(loan=OuterRef("pk"), replaced=False, paid__lt=F("amount"))
    balance = unpaid.order_by().values("loan").annotate(left=Sum(F("amount") - F("paid"))).values("left")
    return loans.annotate(
        next_due=Subquery(unpaid.order_by("due_date").values("due_date")[:1]),
        balance=Coalesce(Subquery(balance), Value(0)),
    )


def _filtered(loans: QuerySet[Loan], form: PortfolioFilterForm, today: dt.date) -> QuerySet[Loan]:
    if not form.is_valid():
        return loans.none()
    data = form.cleaned_data
    if data["q"]:
        text, digits = data["q"], normalize_digits(data["q"])
        loans = loans.filter(
            Q(number__iexact=digits) | Q(borrower_national_id=digits) | Q(borrower_name__icontains=text)
        )
    if data["status"]:
        loans = loans.filter(status=data["status"])
    if data["branch"]:
        loans = loans.filter(branch=data["branch"])
    if data["reschedule"]:
        loans = loans.filter(Exists(Reschedule.objects.filter(loan=OuterRef("pk"), status=RescheduleStatus.PROPOSED)))
    if data["arrears"]:
        loans = loans.filter(
            Exists(
                Installment.objects.filter(
                    loan=OuterRef("pk"), replaced=False, paid__lt=F("amount"), due_date__lt=today
                )
            )
        )
    return loans


def _days_overdue(loan: Loan, today: dt.date) -> int:
    next_due: dt.date | None = getattr(loan, "next_due", None)
    return (today - next_due).days if next_due and next_due < today else 0


@login_required
def portfolio(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The loans of the user's branches, filtered; CSV of the whole filtered list with ?format=csv."""
    branches = _branches(request)
    today = timezone.localdate()
    form = PortfolioFilterForm(request.GET, branches=branches)  # bound: every filter is optional
    loans = _with_figures(_filtered(selectors.portfolio(request.user), form, today)).order_by("number")
    if request.GET.get("format") == "csv":
        return _portfolio_csv(loans, today)
    page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for loan in rows:
        loan.days_overdue = _days_overdue(loan, today)  # type: ignore[attr-defined]
    page.object_list = rows
    return render(
        request,
        "housing_fund/officer/portfolio.html",
        {
            "form": form,
            "page": page,
            "filtered": form.is_valid() and any(form.cleaned_data.values()),
            "active": "portfolio",
            "can_import": import_branches(request.user).exists(),
        },
        status=400 if form.errors else 200,
    )


def _portfolio_csv(loans: QuerySet[Loan], today: dt.date) -> StreamingHttpResponse:
    header = [
        _("Loan number"), _("Borrower"), _("National ID"), _("Branch"), _("Purpose"), _("Principal (IQD)"),
        _("Administrative fee (IQD)"), _("Term (months)"), _("Start date"), _("Status"), _("Balance (IQD)"),
        _("Next due"), _("Days overdue"),
    ]  # fmt: skip
    body = (
        [
            loan.number,
            loan.borrower_name,
            mask_id(loan.borrower_national_id),
            loan.branch.code,
            loan.get_purpose_display(),
            loan.principal,
            loan.admin_fee,
            loan.term_months,
            loan.start_date.isoformat(),
            loan.get_status_display(),
            loan.balance,  # type: ignore[attr-defined]
            loan.next_due.isoformat() if loan.next_due else "",  # type: ignore[attr-defined]
            _days_overdue(loan, today),
        ]  # fmt: skip
        for loan in loans.iterator(chunk_size=2000)
    )
    return csv_response(f"housing-portfolio-{today.isoformat()}.csv", header, body)


# --- One loan --------------------------------------------------------------------------------


def _staff_loan(request: HttpRequest, pk: UUID) -> Loan:
    """A loan of the user's branches; another branch's loan answers 404."""
    return get_object_or_404(selectors.portfolio(request.user), pk=pk)


def _schedules(loan: Loan, today: dt.date) -> list[dict[str, Any]]:
    """Every version of the schedule, newest first, each installment with its state."""
    installments: dict[int, list[tuple[Installment, str]]] = {}
    for item in Installment.objects.filter(loan=loan).order_by("schedule_id", "number"):
        installments.setdefault(item.schedule_id, []).append((item, selectors.installment_state(item, today)))
    return [
        {"schedule": schedule, "rows": installments.get(schedule.pk, [])}
        for schedule in Schedule.objects.filter(loan=loan).order_by("-version")
    ]


def _loan_page(request: HttpRequest, loan: Loan, form: RescheduleForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    roles = roles_in(request.user, loan.branch)
    proposals = list(loan.reschedules.select_related("proposed_by", "decided_by", "schedule"))
    awaiting = next((p for p in proposals if p.status == RescheduleStatus.PROPOSED), None)
    quote = services.settlement_quote(loan, today)
    can_propose = _holds(roles, services.OFFICER_ROLES) and awaiting is None and quote["balance"] > 0
    schedules = _schedules(loan, today)
    payments = (
        collection_selectors.staff_payments(request.user)
        .filter(allocations__obligation__installment__loan=loan)
        .distinct()
    )
    return render(
        request,
        "housing_fund/officer/loan.html",
        {
            "loan": loan,
            "masked_id": mask_id(loan.borrower_national_id),
            "quote": quote,
            "next_due": services.next_due_date(loan),
            "current": schedules[0] if schedules else None,
            "older": schedules[1:],
            "proposals": proposals,
            "awaiting": awaiting,
            "can_propose": can_propose,
            "can_decide": awaiting is not None and _holds(roles, services.HEAD_ROLES),
            "form": form or (RescheduleForm() if can_propose else None),
            "payments": payments,
            "events": AuditEvent.objects.for_target(loan).order_by("id"),
            "statements": loan.statements.all(),
            "active": "portfolio",
        },
        status=status,
    )


@login_required
def loan(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _loan_page(request, _staff_loan(request, pk))


@login_required
@require_POST
def reschedule(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A fund officer proposes a new term for what remains; the head decides on the loan page."""
    loan = _staff_loan(request, pk)
    if not _holds(roles_in(request.user, loan.branch), services.OFFICER_ROLES):
        raise PermissionDenied
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.reschedule_propose(
                loan=loan,
                term_months=form.cleaned_data["term_months"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Rescheduling of loan %(number)s proposed. It takes effect once the head of the branch approves it.")
                % {"number": loan.number},
            )
            return redirect("housing_fund:loan", pk=loan.pk)
    return _loan_page(request, loan, form=form, status=400)


@login_required
@require_POST
def reschedule_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The head of the branch approves (approve=1) or rejects (approve=0) a proposed rescheduling."""
    proposal = get_object_or_404(
        Reschedule.objects.select_related("loan"), pk=pk, loan__in=selectors.portfolio(request.user)
    )
    choice = request.POST.get("approve")
    if choice not in ("0", "1"):
        return HttpResponseBadRequest()
    try:
        services.reschedule_decide(proposal=proposal, approve=choice == "1", actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if choice == "1":
            text = _("Rescheduling of loan %(number)s approved: the new schedule is in force.")
        else:
            text = _("Rescheduling of loan %(number)s rejected: the schedule is unchanged.")
        messages.success(request, text % {"number": proposal.loan.number})
    return redirect("housing_fund:loan", pk=proposal.loan_id)


# --- Arrears aging ---------------------------------------------------------------------------


def _aging_rows(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buckets with each one's share of the loans, in the shape the bar chart reads."""
    total = sum(bucket["count"] for bucket in buckets)
    return [
        {
            **bucket,
            "label": str(bucket["label"]),
            "linked": f"{bucket['count']:,}",
            "total": f"{total:,}",
            "percent": round(bucket["count"] * 100 / total) if total else 0,
        }
        for bucket in buckets
    ]


@login_required
def arrears(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Active loans by how long they are overdue, as of a date; CSV with ?format=csv."""
    branches = _branches(request)
    query = request.GET.copy()
    query.setdefault("as_of", timezone.localdate().isoformat())
    form = ArrearsFilterForm(query, branches=branches)
    data = form.cleaned_data if form.is_valid() else {}
    as_of = data.get("as_of") or timezone.localdate()
    loans = selectors.portfolio(request.user)
    if data.get("branch"):
        loans = loans.filter(branch=data["branch"])
    rows = _aging_rows(selectors.arrears_aging(loans, as_of))
    count = sum(r["count"] for r in rows)
    totals = {"count": count, "count_text": f"{count:,}", "amount": sum(r["amount"] for r in rows)}
    if request.GET.get("format") == "csv" and not form.errors:
        branch = f"-{data['branch'].code}" if data.get("branch") else ""
        return csv_response(
            f"housing-arrears{branch}-{as_of.isoformat()}.csv",
            [_("Days overdue"), _("Loans"), _("Amount overdue (IQD)")],
            [*([r["label"], r["count"], r["amount"]] for r in rows), [_("Total"), totals["count"], totals["amount"]]],
        )
    return render(
        request,
        "housing_fund/officer/arrears.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "as_of": as_of,
            "active": "arrears",
            "can_import": import_branches(request.user).exists(),
        },
        status=400 if form.errors else 200,
    )
