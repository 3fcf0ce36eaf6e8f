"""Paying with First Iraqi Bank: FIB has no card page, so the payer scans our page's QR code (or
opens the FIB app link on the phone) and this page watches the payment until it is decided."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from collection import selectors, services
from collection.constants import ACTIVE, Provider
from collection.providers.fib import checkout_details
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

# When the payer asks for it (``?watch=1``), the page reloads itself this often. Not by default:
# a timed reload the user did not choose fails WCAG 2.2.1 and disturbs screen readers.
REFRESH_SECONDS = 10
# Reloads ask FIB at most this often per payment (the "check now" button always asks).
POLL_INTERVAL_SECONDS = 5


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The QR code, readable code and app links of an unfinished FIB payment; once FIB has decided,
    the payer goes on to the result page."""
    payment = get_object_or_404(selectors.payments_of(request.user), pk=pk, provider=Provider.FIB)
    if payment.status in ACTIVE and (
        request.method == "POST" or cache.add(f"collection:fib:polled:{payment.pk}", 1, POLL_INTERVAL_SECONDS)
    ):
        payment = services.payment_sync(payment=payment)
    if payment.status not in ACTIVE:
        return redirect("collection:payment_return", pk=payment.pk)
    if request.method == "POST":  # post/redirect/get: a reload must not re-post
        return redirect("collection:fib_checkout", pk=payment.pk)
    return render(
        request,
        "collection/fib_checkout.html",
        {
            "payment": payment,
            "fib": checkout_details(payment),
            "watching": request.GET.get("watch") == "1",
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
