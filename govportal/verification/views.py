from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from govportal.audit.services import client_ip
from govportal.verification import hotpath, trust
from govportal.verification.constants import ArtifactKind
from govportal.verification.display import display_rows, in_language
from govportal.verification.forms import LookupForm
from govportal.verification.services import (
    GENERATION_KEY,
    Verification,
    artifact_lookup,
    cache_generation,
    jwks,
    note_text,
    reason_text,
    status_list_cached,
    token_check,
    token_verify,
    verification_count,
)
from govportal.web.ratelimit import rate_limited

logger = logging.getLogger(__name__)

_JWKS_CACHE_KEY = "verification:jwks"


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _too_many_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "verification/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def _too_many(request: HttpRequest) -> HttpResponse | None:
    if rate_limited(request, scope="verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE):
        return _too_many_page(request)
    return None


def _headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token in the address stays here
    response["X-Robots-Tag"] = "noindex"
    return response


def _entity_name(details: dict[str, Any]) -> str:
    return in_language(
        {"ar": details.get("entity_ar"), "en": details.get("entity_en"), "ckb": details.get("entity_ckb")}
    )


def _result_page(request: HttpRequest, result: Verification, *, count: bool = True) -> HttpResponse:
    if count and result.genuine and result.artifact_id:
        verification_count(result.artifact_id)
    details = result.details
    context = {
        "result": result,
        "entity_name": _entity_name(details),
        "kind_label": ArtifactKind(details["kind"]).label if details.get("kind") in ArtifactKind.values else "",
        "issued_at": _parse(details.get("issued_at")),
        "revoked_at": _parse(details.get("revoked_at")),
        "revoked_reason": reason_text(details.get("revoked_reason") or ""),
        "rows": display_rows(details.get("display") or [], html=True),
        "notes": [note_text(note, html=True) for note in details.get("notes") or []],
    }
    return _headers(render(request, "verification/result.html", context))


@require_GET
def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    """What the QR code opens: genuine or not, with the live status. No login, no JavaScript.

    A visitor without a session (nothing personal on the page) takes the hot path: one Redis
    round trip serves the shared rendering of this token's answer, which every revocation
    invalidates; anyone else gets their own rendering.
    """
    shared = settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES
    fast = (
        hotpath.lookup(
            token=token,
            language=get_language(),
            client=client_ip(request) or "unknown",
            limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE,
            generation_key=GENERATION_KEY,
        )
        if shared
        else None
    )
    if fast is not None:
        if fast.limited:
            return _too_many_page(request)
        if fast.html is not None:
            return _headers(HttpResponse(fast.html))
        # The rendered page is what is kept (``hotpath.remember``): no result cache besides it.
        result = token_check(token, generation=fast.generation or None)
        response = _result_page(request, result, count=False)  # counted by the lookup
        hotpath.remember(
            token=token,
            language=get_language(),
            generation=fast.generation,
            artifact_id=result.artifact_id if result.genuine else None,
            html=response.content,
        )
        return response
    return _too_many(request) or _result_page(request, token_verify(token))


@require_GET
def verify_token_json(request: HttpRequest, token: str) -> HttpResponse:
    """The same answer for the offline scanner, which checks the signature itself."""
    if limited := _too_many(request):
        return JsonResponse({"error": "rate_limited"}, status=429, headers={"Retry-After": limited["Retry-After"]})
    result = token_verify(token)
    if result.genuine and result.artifact_id:
        verification_count(result.artifact_id)
    details = result.details
    body = {
        "genuine": result.genuine,
        "reason": _(result.reason) if result.reason else "",
        "status": result.status,
        "serial": details.get("serial"),
        # The issuer by name in the reader's language (the scanner shows its code beside it).
        "issuer": _entity_name(details) if result.genuine else "",
        "issuer_code": details.get("entity_code"),
        "revoked_at": details.get("revoked_at"),
        "revoked_reason": reason_text(details.get("revoked_reason") or ""),
        "replacement": details.get("replacement_path"),
        "replacement_serial": details.get("replacement_serial"),
        "details": display_rows(details.get("display") or []),
        # Changes to a document still valid (e.g. partly refunded), in the reader's language.
        "changed": result.changed,
        "notes": [note_text(note) for note in result.details.get("notes") or []],
    }
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """For auditors holding paper only: serial number and date of issue.

    Nothing found is not a forgery: the reader most likely mistyped the serial or the date, so the
    form comes back with what they typed and a neutral answer asking them to check it (the same
    whether the serial exists with another date or not at all)."""
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        if limited := _too_many(request):
            return limited
        result = artifact_lookup(serial=form.cleaned_data["serial"], issued_on=form.cleaned_data["issued_on"])
        if result is not None:
            return _result_page(request, result)
        return _headers(render(request, "verification/lookup.html", {"form": form, "no_match": True}))
    return render(request, "verification/lookup.html", {"form": form})


@require_GET
@cache_control(public=True, max_age=300)
def jwks_view(request: HttpRequest) -> JsonResponse:
    cache_key = f"{_JWKS_CACHE_KEY}:{cache_generation()}"  # a key change starts a new entry
    data = cache.get(cache_key)
    if data is None:
        data = jwks()
        cache.set(cache_key, data, 300)
    return JsonResponse(data, content_type="application/jwk-set+json", headers={"Access-Control-Allow-Origin": "*"})


@require_GET
@cache_control(public=True, max_age=300)
def status_list_view(request: HttpRequest) -> JsonResponse:
    """What the offline scanner keeps besides the keys: issuers' names and the documents that are
    not plainly valid (see ``status_list``)."""
    return JsonResponse(status_list_cached(), headers={"Access-Control-Allow-Origin": "*"})


def _signed_list(request: HttpRequest, token: str, content_type: str) -> HttpResponse:
    """A list signed by the trust root, cacheable by anyone for its ``ttl``, revalidated by ETag."""
    etag = f'"{hotpath.token_digest(token)[:32]}"'
    seen = [value.strip() for value in request.headers.get("If-None-Match", "").split(",")]
    if etag in seen:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(token, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={trust.LIST_TTL}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _no_root() -> HttpResponse:
    logger.error("no trust root key: run `manage.py trust_root create` (docs/OPERATIONS.md)")
    return HttpResponse(_("The signed lists are not available yet."), status=503, content_type="text/plain")


@require_GET
def status_list_token_view(request: HttpRequest, number: int) -> HttpResponse:
    """A status list (IETF Token Status List) as its JWT, signed by the trust root."""
    try:
        token = trust.status_list_token(number)
    except ImproperlyConfigured:
        return _no_root()
    if token is None:
        raise Http404
    return _signed_list(request, token, "application/statuslist+jwt")


@require_GET
def trust_list_view(request: HttpRequest) -> HttpResponse:
    """The issuing entities and their keys, signed by the trust root (see ``verification.trust``)."""
    try:
        token = trust.trust_list_token()
    except ImproperlyConfigured:
        return _no_root()
    return _signed_list(request, token, "application/trustlist+jwt")


@require_GET
def scan(request: HttpRequest) -> HttpResponse:
    # The root keys the scanner pins: it trusts an issuer's key only through a list they signed.
    roots = json.dumps(trust.root_pins(), separators=(",", ":"))
    # How many status lists there are, so that the scanner keeps them all for offline checks.
    context = {"trust_roots": roots, "status_list_count": trust.status_lists_count()}
    return render(request, "verification/scan.html", context)


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /verify/ so that it may control the scanner page (a worker's scope is its folder)."""
    path = finders.find("js/verify-sw.js")
    if not path:
        raise Http404
    response = HttpResponse(Path(str(path)).read_bytes(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/verify/"
    return response
