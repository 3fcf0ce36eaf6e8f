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
from collection.constants import CAPTURED
from collection.forms import PaymentFilterForm, RefundForm
from collection.models import Payment, Settlement
from govportal.accounts.selectors import entities_of
from govportal.audit.models import AuditEvent
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


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
        and payment.refundable > 0
        and entities_of(request.user, roles=services.REFUND_ROLES).filter(pk=payment.collecting_entity_id).exists()
    )


def _detail(request: HttpRequest, payment: Payment, form: RefundForm | None = None, status: int = 200) -> HttpResponse:
    can_refund = _can_refund(request, payment)
    return render(
        request,
        "collection/staff/payment.html",
        {
            "payment": payment,
            "receipt": getattr(payment, "receipt", None),
            "settlement": Settlement.objects.filter(payment=payment).select_related("file").first(),
            "allocations": payment.allocations.select_related("obligation").order_by("obligation__due_date"),
            "refunds": payment.refunds.select_related("created_by"),
            "events": AuditEvent.objects.for_target(payment).order_by("id"),
            "provider_events": payment_events(payment),
            "can_refund": can_refund,
            "form": form or (RefundForm(initial={"amount": payment.refundable}) if can_refund else None),
        },
        status=status,
    )


def payment_events(payment: Payment) -> QuerySet:
    from collection.models import PaymentEvent

    refs = [ref for ref in (payment.payment_ref, payment.provider_ref) if ref]
    return PaymentEvent.objects.filter(provider=payment.provider, payment_ref__in=refs).order_by("received_at")


@login_required
def payment(request: HttpRequest, pk: UUID) -> HttpResponse:
    return _detail(request, get_object_or_404(selectors.staff_payments(request.user), pk=pk))


@login_required
@require_POST
def refund(request: HttpRequest, pk: UUID) -> HttpResponse:
    payment = get_object_or_404(selectors.staff_payments(request.user), pk=pk)
    if not _can_refund(request, payment):
        raise PermissionDenied
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.refund_create(
                payment=payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(amount)s IQD refunded on payment %(ref)s.")
                % {"amount": f"{form.cleaned_data['amount']:,}", "ref": payment.payment_ref},
            )
            return redirect("collection:staff_payment", pk=payment.pk)
    payment.refresh_from_db()
    return _detail(request, payment, form=form, status=400)
