"""A citizen's bills and payments: choose bills → check and pay → the provider → the result."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.constants import ACTIVE, RETRYABLE
from collection.forms import ChooseBillsForm
from collection.models import Payment, Receipt
from govportal.audit.models import AuditEvent
from govportal.pdf.services import pdf_render
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


def _bills_page(request: HttpRequest, form: ChooseBillsForm, status: int = 200) -> HttpResponse:
    mine = selectors.bills_of(request.user)
    selected = request.POST.getlist("bills") or request.GET.getlist("bills")
    kept_from = None
    if not selected and not form.is_bound:  # back on the page after a declined card: the same bills ticked
        kept_from, selected = selectors.last_choice(request.user)
    return render(
        request,
        "collection/bills.html",
        {
            "form": form,
            "selected": selected,
            "kept_from": kept_from if selected else None,
            "payable": mine.payable(),
            "settled": mine.exclude(pk__in=mine.payable().values("pk"))[:20],
            "in_progress": selectors.payments_of(request.user).active(),
        },
        status=status,
    )


@login_required
def bills(request: HttpRequest) -> HttpResponse:
    """Open bills to choose from, with what is under way and the history below."""
    return _bills_page(request, ChooseBillsForm(bills=selectors.bills_of(request.user).payable()))


@login_required
def pay(request: HttpRequest) -> HttpResponse:
    """Check and pay: the chosen bills and their total (GET), then start the payment (POST)."""
    form = ChooseBillsForm(request.POST or request.GET or None, bills=selectors.bills_of(request.user).payable())
    if not form.is_bound:
        return redirect("collection:bills")
    if not form.is_valid():
        return _bills_page(request, form, status=400)
    chosen = sorted(form.cleaned_data["bills"], key=lambda bill: bill.due_date)
    total = sum(bill.remaining for bill in chosen)
    if request.method == "POST":
        try:
            payment = services.payment_start(
                payer=request.user,
                lines=[services.Line(obligation=bill, amount=bill.remaining) for bill in chosen],
                base_url=request.build_absolute_uri("/"),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(payment.checkout_url or payment_detail_url(payment))
    context = {"form": form, "chosen": chosen, "total": total, "change_url": bills_url(chosen)}
    return render(request, "collection/pay.html", context)


def bills_url(bills: list[Any]) -> str:
    """My bills with these bills ticked."""
    return f"{reverse('collection:bills')}?{urlencode([('bills', str(bill.pk)) for bill in bills])}"


@login_required
@require_POST
def payment_retry(request: HttpRequest, pk: UUID) -> HttpResponse:
    """ "Try another card" after a declined payment: the same bills and amounts, straight to the card page."""
    payment = _own_payment(request, pk)
    try:
        retry = services.payment_retry(
            payment=payment, payer=request.user, base_url=request.build_absolute_uri("/"), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        bills = [allocation.obligation for allocation in payment.allocations.select_related("obligation")]
        return redirect(bills_url(bills))
    return redirect(retry.checkout_url or payment_detail_url(retry))


def payment_detail_url(payment: Payment) -> str:
    return reverse("collection:payment_detail", args=[payment.pk])


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.payments_of(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "collection/payments.html", {"page": page})


def _own_payment(request: HttpRequest, pk: UUID) -> Payment:
    return get_object_or_404(selectors.payments_of(request.user), pk=pk)


@login_required
def payment_return(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Where the provider sends the payer back. The address says nothing about the outcome:
    we read our own state, asking the provider first if we have not heard yet."""
    payment = services.payment_sync(payment=_own_payment(request, pk))
    bills = [allocation.obligation for allocation in payment.allocations.select_related("obligation")]
    return render(
        request,
        "collection/payment_result.html",
        {
            "payment": payment,
            "waiting": payment.status in ACTIVE,
            "retryable": payment.status in RETRYABLE,
            "receipt": _receipt(payment),
            "origin": selectors.payment_origin(payment),
            "change_url": bills_url(bills),
        },
    )


def _receipt(payment: Payment) -> Receipt | None:
    return Receipt.objects.filter(payment=payment).select_related("artifact").first()


@login_required
def payment_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    payment = _own_payment(request, pk)
    return render(
        request,
        "collection/payment_detail.html",
        {
            "payment": payment,
            "receipt": _receipt(payment),
            "allocations": payment.allocations.select_related("obligation").order_by("obligation__due_date"),
            "refunds": payment.refunds.all(),
            "events": AuditEvent.objects.for_target(payment).order_by("id"),
            "can_cancel": payment.status in ACTIVE,
        },
    )


@login_required
def payment_cancel(request: HttpRequest, pk: UUID) -> HttpResponse:
    """What cancelling an unfinished payment does (GET); then cancel it (POST)."""
    payment = _own_payment(request, pk)
    if request.method != "POST":
        if payment.status not in ACTIVE:
            return redirect("collection:payment_detail", pk=payment.pk)
        context = {"payment": payment, "allocations": payment.allocations.select_related("obligation")}
        return render(request, "collection/payment_cancel.html", context)
    try:
        payment = services.payment_cancel(payment=payment, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if payment.status in ACTIVE:
            messages.error(request, _("The payment could not be cancelled."))
        else:
            values = {"ref": payment.payment_ref, "status": payment.get_status_display()}
            messages.success(request, _("Payment %(ref)s: %(status)s.") % values)
    return redirect("collection:payment_detail", pk=payment.pk)


@login_required
def receipt_pdf(request: HttpRequest, pk: UUID) -> FileResponse:
    """The signed receipt, for its payer or the collecting entity's staff and cashiers."""
    receipt = get_object_or_404(Receipt.objects.select_related("payment"), pk=pk)
    if not selectors.can_see_payment(request.user, receipt.payment):
        raise Http404
    receipt = pdf_render(instance=receipt)  # the worker renders it at issue; this if it has not yet
    return FileResponse(
        receipt.pdf.open("rb"), as_attachment=True, filename=f"{receipt.serial}.pdf", content_type="application/pdf"
    )
