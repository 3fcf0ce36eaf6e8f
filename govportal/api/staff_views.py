"""An entity's head manages the API clients of its systems: create one, replace its secret, revoke
it. A secret is shown once, on the page right after it is made; only its hash is kept."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from govportal.api import selectors, services
from govportal.api.forms import ClientForm
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


def _secret_page(request: HttpRequest, client: object, secret: str, heading: str) -> HttpResponse:
    response = render(request, "api/client_secret.html", {"client": client, "secret": secret, "heading": heading})
    response["Cache-Control"] = "no-store"  # the only time the secret is shown: never kept by a cache
    return response


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    entities = selectors.client_entities(request.user)
    if not entities.exists():
        raise Http404
    return render(request, "api/client_list.html", {"clients": selectors.clients_of(request.user)})


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    entities = list(selectors.client_entities(request.user))
    if not entities:
        raise Http404
    form = ClientForm(request.POST or None, entities=selectors.client_entities(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = services.api_client_create(
                entity=form.cleaned_data["entity"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _secret_page(request, client, secret, _("API client created"))
    return render(request, "api/client_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def client_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    return render(request, "api/client_detail.html", {"client": selectors.client_for(request.user, pk)})


@login_required
def client_rotate(request: HttpRequest, pk: UUID) -> HttpResponse:
    """A confirmation page; on POST the new secret, shown once."""
    client = selectors.client_for(request.user, pk)
    if request.method == "POST" and client.is_active:
        secret = services.api_client_rotate(client=client, actor=request.user, request=request)
        return _secret_page(request, client, secret, _("New secret"))
    return render(request, "api/client_confirm.html", {"client": client, "act": "rotate"})


@login_required
def client_revoke(request: HttpRequest, pk: UUID) -> HttpResponse:
    client = selectors.client_for(request.user, pk)
    if request.method == "POST":
        services.api_client_revoke(client=client, actor=request.user, request=request)
        return render(request, "api/client_detail.html", {"client": client, "revoked_now": True})
    return render(request, "api/client_confirm.html", {"client": client, "act": "revoke"})
