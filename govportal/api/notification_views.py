"""Staff pages of the API core: the log of notifications posted to the entity's clients (re-send
from it), and the head's page setting a client's endpoint and signing secret."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from govportal.accounts.selectors import entities_of
from govportal.api import notifications, selectors
from govportal.api.constants import LOG_ROLES
from govportal.api.forms import DeliveryFilterForm, EndpointForm
from govportal.api.models import ApiClient
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    if not entities_of(request.user, roles=LOG_ROLES).exists():
        raise Http404
    form = DeliveryFilterForm(request.GET or None)
    rows = selectors.deliveries_for(request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "clients": selectors.clients_headed_by(request.user)}
    return render(request, "api/deliveries.html", context)


@login_required
def delivery(request: HttpRequest, pk: UUID) -> HttpResponse:
    item = get_object_or_404(selectors.deliveries_for(request.user), pk=pk)
    context = {"delivery": item, "may_resend": selectors.may_resend(request.user, item)}
    return render(request, "api/delivery.html", context)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Harmless (the receiver skips an event id it has), so no confirmation page."""
    item = get_object_or_404(selectors.deliveries_for(request.user), pk=pk)
    notifications.notification_resend(delivery=item, actor=request.user, request=request)
    messages.success(request, _("The notification is queued to be sent again."))
    return redirect("api_staff:delivery", pk=item.pk)


def _headed_client(request: HttpRequest, pk: UUID) -> ApiClient:
    return get_object_or_404(selectors.clients_headed_by(request.user), pk=pk)


def _secret_page(request: HttpRequest, client: ApiClient, secret: str) -> HttpResponse:
    """The signing secret, shown this once (never stored by a cache)."""
    return render(request, "api/endpoint_secret.html", {"client": client, "secret": secret})


@never_cache
@login_required
def endpoint(request: HttpRequest, pk: UUID) -> HttpResponse:
    client = _headed_client(request, pk)
    form = EndpointForm(request.POST or None, initial={"notify_url": client.notify_url})
    if request.method == "POST" and form.is_valid():
        try:
            secret = notifications.notification_endpoint_set(
                client=client, url=form.cleaned_data["notify_url"], actor=request.user, request=request
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            client.refresh_from_db()
            if secret:
                return _secret_page(request, client, secret)
            messages.success(request, _("The notification endpoint is saved."))
            return redirect("api_staff:endpoint", pk=client.pk)
    return render(request, "api/endpoint.html", {"client": client, "form": form}, status=400 if form.errors else 200)


@never_cache
@login_required
def endpoint_rotate(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Replacing the signing secret breaks the receiver until it has the new one: a confirmation first."""
    client = _headed_client(request, pk)
    if not client.notify_secret_sealed:
        return redirect("api_staff:endpoint", pk=client.pk)
    if request.method == "POST":
        secret = notifications.notification_secret_rotate(client=client, actor=request.user, request=request)
        return _secret_page(request, client, secret)
    return render(request, "api/endpoint_rotate.html", {"client": client})
