"""The sandbox gateway's own pages: it plays the e-payment company, on a page that looks like
another site. Only mounted when PAYMENT_SANDBOX is on."""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from collection.forms import SandboxCardForm
from collection.models import SandboxCharge
from collection.providers import sandbox


def pay(request: HttpRequest, charge_id: str) -> HttpResponse:
    charge = get_object_or_404(SandboxCharge, pk=charge_id)
    if charge.state != SandboxCharge.State.OPEN:
        return HttpResponseRedirect(charge.return_url)
    form = SandboxCardForm(request.POST or None)
    if request.method == "POST":
        if "cancel" in request.POST:
            charge.state, charge.completed_at = SandboxCharge.State.CANCELLED, timezone.now()
            charge.save(update_fields=["state", "completed_at"])
            return HttpResponseRedirect(charge.return_url)
        if form.is_valid():
            sandbox.charge_pay(charge_id=charge.pk, card_number=form.cleaned_data["card_number"])
            return HttpResponseRedirect(charge.return_url)
    return render(
        request,
        "sandbox/pay.html",
        {"charge": charge, "form": form, "test_cards": sandbox.TEST_CARDS},
        status=400 if form.errors else 200,
    )


@require_GET
def settlement(request: HttpRequest, day: str) -> HttpResponse:
    """The day's settlement file, for the merchant holding the shared secret."""
    expected = f"Bearer {settings.PAYMENT_SANDBOX_SECRET}"
    if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
        return HttpResponse(status=401)
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    response = HttpResponse(sandbox.settlement_csv(when), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settlement-{when.isoformat()}.csv"'
    return response
