"""The API object: authentication, the per-client rate limit, errors and the OpenAPI document."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from govportal.api.errors import ApiError
from govportal.api.models import ApiClient
from govportal.api.registry import ROUTERS
from govportal.api.scopes import SCOPES
from govportal.redis import redis_client


class ClientCredentials(HttpBearer):
    """An access token from ``/api/v1/oauth/token`` (client credentials), checked by
    django-oauth-toolkit; the client must not be revoked, and is counted against its rate limit."""

    openapi_type = "oauth2"
    openapi_flows = {
        "clientCredentials": {"tokenUrl": "/api/v1/oauth/token", "scopes": {k: str(v) for k, v in SCOPES.items()}}
    }

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        try:
            valid, oauth = get_oauthlib_core().verify_request(request, scopes=[])
        except MultiPartParserError as error:  # DOT reads the form body too: a broken one is the caller's fault
            raise ApiError(400, "invalid", _("The request body could not be read.")) from error
        if not valid or oauth.access_token is None:
            return None
        client = (
            ApiClient.objects.active()
            .select_related("entity", "application")
            .filter(application_id=oauth.access_token.application_id)
            .first()
        )
        if client is None:
            return None
        request.api_client = client  # type: ignore[attr-defined]  # the audit middleware reads it
        request.api_scopes = set(oauth.access_token.scope.split())  # type: ignore[attr-defined]
        _rate_limit(client)
        return client


def _rate_limit(client: ApiClient) -> None:
    """A fixed window per client (``API_RATE_LIMIT`` calls a minute), counted in Redis or the cache."""
    limit, window = settings.API_RATE_LIMIT, 60
    now = time.time()
    key = f"api-ratelimit:{client.pk}:{int(now // window)}"
    connection = redis_client()
    if connection is not None:
        pipe = connection.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 5, nx=True)
        count = int(pipe.execute()[0])
    else:
        from django.core.cache import cache

        cache.add(key, 0, timeout=window + 5)
        count = cache.incr(key)
    if count > limit:
        retry = max(1, int(window - now % window))
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests from this client. Try again in %(seconds)s seconds.") % {"seconds": retry},
            headers={"Retry-After": str(retry)},
        )


def require_scope(request: HttpRequest, scope: str) -> ApiClient:
    """The calling client, if its token carries ``scope``; otherwise 403."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    if scope not in getattr(request, "api_scopes", set()):
        message = _("This client may not do this (it needs the scope %(scope)s).") % {"scope": scope}
        raise ApiError(403, "insufficient_scope", message)
    return client


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="govportal API",
        version="1",
        description=_api_description(),
        urls_namespace="api-v1",
        auth=ClientCredentials(),
        docs=Swagger(settings={"persistAuthorization": False}),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    def error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, exc.body(), status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    api.add_exception_handler(ApiError, error)
    api.add_exception_handler(
        AuthenticationError,
        lambda request, exc: error(
            request,
            ApiError(
                401,
                "unauthorized",
                _("Send a valid access token: Authorization: Bearer <token> from /api/v1/oauth/token."),
                headers={"WWW-Authenticate": 'Bearer realm="govportal"'},
            ),
        ),
    )

    def ninja_refusal(request: HttpRequest, exc: Any) -> HttpResponse:
        """ninja's own refusals (a body that is not JSON) in our shape, not its ``{"detail": …}``."""
        status = int(getattr(exc, "status_code", 400))
        if status == 400:
            return error(request, ApiError(400, "invalid_json", _("The body of the request is not JSON.")))
        return error(request, ApiError(status, "error", str(exc)))

    api.add_exception_handler(HttpError, ninja_refusal)
    api.add_exception_handler(
        NinjaValidationError,
        lambda request, exc: error(
            request, ApiError(400, "invalid", _("The request is not valid."), fields=_fields(exc))
        ),
    )
    api.add_exception_handler(
        DjangoValidationError,
        lambda request, exc: error(
            request,
            ApiError(
                400, "invalid", _("The request is not valid."), fields=getattr(exc, "message_dict", {"": exc.messages})
            ),
        ),
    )
    api.add_exception_handler(
        Http404,
        lambda request, exc: error(request, ApiError(404, "not_found", _("Nothing was found at this address."))),
    )
    api.add_exception_handler(
        PermissionDenied,
        lambda request, exc: error(request, ApiError(404, "not_found", _("Nothing was found at this address."))),
    )
    for prefix, router in ROUTERS:
        api.add_router(prefix, router)
    return api


def _fields(exc: Any) -> dict[str, list[str]]:
    """ninja's (pydantic's) errors, by field name: ``{"amount": ["…"]}``."""
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(location) or "", []).append(str(item.get("msg", "")))
    return fields


def _api_description() -> str:
    return (
        "The portal's API for collecting agencies and verifiers. Authenticate with OAuth2 client credentials "
        "(POST /api/v1/oauth/token with grant_type=client_credentials, your client_id and client_secret); send the "
        'access token as `Authorization: Bearer …`. Errors are JSON `{"error": {"code", "message"}}`; the '
        "message follows `Accept-Language` (ar, ckb, en). Lists page by cursor (`next_cursor`)."
    )
