"""The outlet counter: a cashier finds a citizen's bills, records the card slip, prints the receipt;
and the day's closing report by cashier and terminal."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.forms import CitizenLookupForm, ClosingForm, OutletPaymentForm
from collection.models import Obligation, Outlet, Payment
from govportal.accounts.models import CitizenProfile, User
from govportal.web.csv_export import csv_response
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


def _outlets(request: HttpRequest) -> list[Outlet]:
    """The open outlets where the user takes payments; 404 for anyone who is not a cashier."""
    if not selectors.is_cashier(request.user):
        raise Http404
    return list(selectors.outlets_of(request.user))


def _citizen(national_id: str) -> User | None:
    profile = CitizenProfile.objects.filter(national_id=national_id).select_related("user").first()
    return profile.user if profile else None


def _payable(citizen: User | None, outlets: list[Outlet]) -> object:
    if citizen is None:
        return Obligation.objects.none()
    return selectors.bills_of(citizen).payable().filter(collecting_entity__in={o.entity_id for o in outlets})


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """Find the citizen by national ID and show their open bills with the slip form."""
    outlets = _outlets(request)
    if not outlets:
        return render(request, "collection/outlet/counter.html", {"outlets": outlets})
    lookup = CitizenLookupForm(request.GET or None)
    context: dict[str, object] = {"lookup": lookup, "outlets": outlets}
    if lookup.is_valid():
        citizen = _citizen(lookup.cleaned_data["national_id"])
        bills = _payable(citizen, outlets)
        context.update(
            citizen=citizen,
            form=OutletPaymentForm(
                terminals=selectors.terminals_of(request.user),
                bills=bills,
                initial={"national_id": lookup.cleaned_data["national_id"]},
            ),
            has_bills=citizen is not None and bills.exists(),  # type: ignore[attr-defined]
        )
    return render(request, "collection/outlet/counter.html", context)


@login_required
@require_POST
def record(request: HttpRequest) -> HttpResponse:
    outlets = _outlets(request)
    national_id = request.POST.get("national_id", "")
    citizen = _citizen(national_id)
    form = OutletPaymentForm(
        request.POST, terminals=selectors.terminals_of(request.user), bills=_payable(citizen, outlets)
    )
    if form.is_valid() and citizen is not None:
        data = form.cleaned_data
        try:
            payment = services.outlet_payment_record(
                cashier=request.user,
                outlet=data["terminal_id"].outlet,
                payer=citizen,
                obligations=list(data["bills"]),
                slip=services.CardSlip(
                    terminal_id=data["terminal_id"].terminal_id,
                    approval_code=data["approval_code"],
                    rrn=data["rrn"],
                    card_last4=data["card_last4"],
                ),
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Payment %(ref)s of %(amount)s IQD recorded. Print the receipt for the citizen.")
                % {"ref": payment.payment_ref, "amount": f"{payment.amount:,}"},
            )
            return redirect("collection:outlet_done", pk=payment.pk)
    return render(
        request,
        "collection/outlet/counter.html",
        {
            "lookup": CitizenLookupForm(initial={"national_id": national_id}),
            "outlets": outlets,
            "citizen": citizen,
            "form": form,
            "has_bills": True,
        },
        status=400,
    )


@login_required
def done(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The recorded payment with its receipt to print."""
    outlets = _outlets(request)
    payment = get_object_or_404(Payment.objects.select_related("receipt", "payer", "outlet"), pk=pk, outlet__in=outlets)
    return render(
        request,
        "collection/outlet/done.html",
        {"payment": payment, "allocations": payment.allocations.select_related("obligation")},
    )


@login_required
def closing(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The day's card payments at one outlet, by cashier and terminal; CSV with ?format=csv.
    For a cashier's outlets, and for every outlet its entity's head runs."""
    outlets = selectors.outlets_for_closing(request.user)
    first = outlets.first()
    if first is None:
        raise Http404
    data = request.GET.copy()
    data.setdefault("outlet", str(first.pk))
    data.setdefault("day", timezone.localdate().isoformat())  # today's report unless asked for another day
    form = ClosingForm(data, outlets=outlets)
    report = (
        selectors.outlet_closing(form.cleaned_data["outlet"], form.cleaned_data["day"]) if form.is_valid() else None
    )
    if report is not None and request.GET.get("format") == "csv":
        return _closing_csv(report)
    return render(
        request,
        "collection/outlet/closing.html",
        {"form": form, "report": report, "is_cashier": selectors.is_cashier(request.user)},
    )


def _closing_csv(report: dict) -> StreamingHttpResponse:
    outlet, day = report["outlet"], report["day"]
    header = [_("Cashier"), _("Terminal ID"), _("Payments"), _("Total (IQD)"), _("Refunded (IQD)")]
    rows = [
        [g["cashier__full_name"] or g["cashier__email"], g["terminal_id"], g["count"], g["total"], g["refunded"] or 0]
        for g in report["groups"]
    ]
    rows.append([_("Total"), "", report["count"], report["total"], report["refunded"]])
    return csv_response(f"closing-{outlet.code}-{day.isoformat()}.csv", header, rows)
