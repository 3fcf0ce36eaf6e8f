"""Fund officers, heads and auditors of a collecting entity: payments, their history, refunds."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.constants import CAPTURED, DiscrepancyKind, RefundStatus
from collection.forms import PaymentFilterForm, RefundFilterForm, RefundForm
from collection.models import Payment, Refund, Settlement
from govportal.accounts.selectors import entities_of
from govportal.audit.models import AuditEvent
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

# The refunds list shows these unless a status is chosen: what staff must watch.
UNSETTLED_REFUNDS = (RefundStatus.PENDING, RefundStatus.FAILED)


def _filtered(payments: QuerySet[Payment], form: PaymentFilterForm) -> QuerySet[Payment]:
    if not form.is_valid():
        return payments
    data = form.cleaned_data
    if data["q"]:
        text = data["q"].strip()
        payments = payments.filter(Q(payment_ref__iexact=text) | Q(receipt__serial__iexact=text))
    if data["status"]:
        payments = payments.filter(status=data["status"])
    if data["method"]:
        payments = payments.filter(method=data["method"])
    if data["date_from"]:
        payments = payments.filter(
            created_at__gte=timezone.make_aware(dt.datetime.combine(data["date_from"], dt.time.min))
        )
    if data["date_to"]:
        end = timezone.make_aware(dt.datetime.combine(data["date_to"], dt.time.min)) + dt.timedelta(days=1)
        payments = payments.filter(created_at__lt=end)
    return payments


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    if not selectors.collecting_entities(request.user).exists():
        raise Http404
    form = PaymentFilterForm(request.GET or None)
    page = Paginator(_filtered(selectors.staff_payments(request.user), form), 25).get_page(request.GET.get("page"))
    return render(request, "collection/staff/payments.html", {"form": form, "page": page})


def _can_refund(request: HttpRequest, payment: Payment) -> bool:
    return (
        payment.status in CAPTURED
        and services.refund_remaining(payment) > 0
        and entities_of(request.user, roles=services.REFUND_ROLES).filter(pk=payment.collecting_entity_id).exists()
    )


def _detail(request: HttpRequest, payment: Payment) -> HttpResponse:
    refunds = list(payment.refunds.select_related("created_by"))
    return render(
        request,
        "collection/staff/payment.html",
        {
            "payment": payment,
            "receipt": getattr(payment, "receipt", None),
            "settlement": Settlement.objects.filter(payment=payment).select_related("file").first(),
            "allocations": payment.allocations.select_related("obligation").order_by("obligation__due_date"),
            "refunds": refunds,
            "pending_refunds": [r for r in refunds if r.status == RefundStatus.PENDING],
            "failed_refunds": [r for r in refunds if r.status == RefundStatus.FAILED],
            "refund_discrepancies": selectors.discrepancies(request.user).filter(
                payment=payment, kind__in=(DiscrepancyKind.REFUND_FAILED, DiscrepancyKind.REFUND_UNCONFIRMED)
            ),
            "events": AuditEvent.objects.for_target(payment).order_by("id"),
            "provider_events": payment_events(payment),
            "can_refund": _can_refund(request, payment),
            "refund_remaining": services.refund_remaining(payment),
        },
    )


def payment_events(payment: Payment) -> QuerySet:
    from collection.models import PaymentEvent

    refs = [ref for ref in (payment.payment_ref, payment.provider_ref) if ref]
    return PaymentEvent.objects.filter(provider=payment.provider, payment_ref__in=refs).order_by("received_at")


@login_required
def payment(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _detail(request, get_object_or_404(selectors.staff_payments(request.user), pk=pk))


# --- Refunds: the form, the check of what it will do, then doing it ----------------------------------


def _refundable(request: HttpRequest, pk: UUID) -> Payment:
    payment = get_object_or_404(selectors.staff_payments(request.user), pk=pk)
    if not _can_refund(request, payment):
        raise PermissionDenied
    return payment


def _refund_form(request: HttpRequest, payment: Payment, form: RefundForm, status: int = 200) -> HttpResponse:
    context = {"payment": payment, "form": form, "refund_remaining": services.refund_remaining(payment)}
    return render(request, "collection/staff/refund.html", context, status=status)


@login_required
def refund(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The refund form (GET, or "change" from the check page), then the check of what it will do
    (POST): nothing is sent until the officer confirms there."""
    payment = _refundable(request, pk)
    if request.method != "POST" or "change" in request.POST:
        initial = request.POST.dict() if request.method == "POST" else {"amount": services.refund_remaining(payment)}
        return _refund_form(request, payment, RefundForm(initial=initial))
    form = RefundForm(request.POST)
    plan = _refund_checked(request, payment, form)
    if plan is None:
        return _refund_form(request, payment, form, status=400)
    return render(request, "collection/staff/refund_check.html", {"payment": payment, "plan": plan, "form": form})


def _refund_checked(request: HttpRequest, payment: Payment, form: RefundForm) -> services.RefundPlan | None:
    """The plan of a valid refund; otherwise None, with every problem beside its field: the
    service's (above what remains, an installment reduced…) as well as the form's own."""
    valid = form.is_valid()
    values = {"amount": 0, "reason": "", "note": "", **form.cleaned_data}
    try:
        plan = services.refund_check(payment=payment, actor=request.user, **values)
    except ValidationError as error:
        found = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for field, errors in found.items():
            if field is None or field not in form.errors:
                form.add_error(field if field in form.fields else None, errors)
        return None
    return plan if valid else None


@login_required
@require_POST
def refund_confirm(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Send the refund checked on the previous page (everything is checked again, under the lock)."""
    payment = _refundable(request, pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            done = services.refund_create(payment=payment, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            _refund_message(request, done)
            return redirect("collection:staff_payment", pk=payment.pk)
    return _refund_form(request, payment, form, status=400)


def _refund_message(request: HttpRequest, refund: Refund) -> None:
    values = {"amount": f"{refund.amount:,}", "ref": refund.payment.payment_ref, "reason": refund.failure_reason}
    if refund.status == RefundStatus.SUCCEEDED:
        messages.success(request, _("%(amount)s IQD refunded on payment %(ref)s.") % values)
    elif refund.status == RefundStatus.PENDING:
        messages.info(
            request,
            _(
                "The refund of %(amount)s IQD on payment %(ref)s was sent, but the payment service has not "
                "confirmed it yet. The bills and the receipt change only when it does; the portal asks again "
                "every few minutes."
            )
            % values,
        )
    else:
        messages.error(
            request,
            _(
                "The payment service refused the refund of %(amount)s IQD on payment %(ref)s (%(reason)s). "
                "Nothing was given back and the bills are unchanged; the refusal is listed under discrepancies."
            )
            % values,
        )


@login_required
def refunds(request: HttpRequest) -> HttpResponse:
    """Refunds awaiting the provider or refused by it (or any status, filtered)."""
    if not selectors.collecting_entities(request.user).exists():
        raise Http404
    form = RefundFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    items = selectors.staff_refunds(request.user)
    items = items.filter(status=status) if status else items.filter(status__in=UNSETTLED_REFUNDS)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    return render(request, "collection/staff/refunds.html", {"form": form, "page": page})
