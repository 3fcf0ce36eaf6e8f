"""The sandbox identity provider's endpoints. Only mounted when IDENTITY_SANDBOX is on."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sandbox_idp.forms import SignInForm
from sandbox_idp.keys import ALGORITHM, jwks_public
from sandbox_idp.models import ACR_LOW, ACR_SUBSTANTIAL, SCOPES_SUPPORTED, Identity
from sandbox_idp.server import issuer_for, require_token, server

# The provider's own sign-in lives in its own signed cookie, not in the portal's session: it is
# another site that happens to share the host, and signing out of one must not sign out of the other.
SESSION_COOKIE = "sandbox_idp_session"
SESSION_SALT = "sandbox_idp.session"
SESSION_SECONDS = 8 * 3600
CLAIMS_SUPPORTED = (
    "sub iss aud exp iat auth_time nonce acr amr name given_name family_name birthdate upn locale".split()
)


def _endpoint(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(f"sandbox_idp:{name}"))


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0)."""
    return JsonResponse(
        {
            "issuer": issuer_for(request),
            "authorization_endpoint": _endpoint(request, "authorize"),
            "token_endpoint": _endpoint(request, "token"),
            "userinfo_endpoint": _endpoint(request, "userinfo"),
            "jwks_uri": _endpoint(request, "jwks"),
            "end_session_endpoint": _endpoint(request, "logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "claims_supported": CLAIMS_SUPPORTED,
            "acr_values_supported": [ACR_SUBSTANTIAL, ACR_LOW],
            "prompt_values_supported": ["none", "login"],
        }
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(jwks_public())
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- the provider's own sign-in (a signed cookie) ------------------------------------------


def _signed_in(request: HttpRequest) -> tuple[Identity, int] | None:
    """Who is signed in at the provider, and since when (epoch seconds)."""
    try:
        value = request.get_signed_cookie(SESSION_COOKIE, salt=SESSION_SALT, max_age=SESSION_SECONDS) or ""
        identity_pk, auth_time = (int(part) for part in value.split(":"))
    except (KeyError, ValueError, signing.BadSignature):
        return None
    identity = Identity.objects.filter(pk=identity_pk).first()
    return (identity, auth_time) if identity else None


def _cookie_path() -> str:
    return reverse("sandbox_idp:discovery").removesuffix(".well-known/openid-configuration")


def _remember(request: HttpRequest, response: HttpResponse, identity: Identity, auth_time: int) -> None:
    response.set_signed_cookie(
        SESSION_COOKIE,
        f"{identity.pk}:{auth_time}",
        salt=SESSION_SALT,
        max_age=SESSION_SECONDS,
        path=_cookie_path(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _forget(response: HttpResponse) -> None:
    response.delete_cookie(SESSION_COOKIE, path=_cookie_path())


# --- authorization endpoint ------------------------------------------------------------------


def _refuse(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    """Back to the client with the error when its redirect URI is known good; otherwise a page here
    (never redirect to an address the client did not register)."""
    if error.redirect_uri:
        return server.handle_error_response(None, error)
    return render(
        request,
        "sandbox_idp/error.html",
        {"error": error.error, "description": error.get_error_description()},
        status=400,
    )


def _issue_code(grant: Any, identity: Identity, *, auth_time: int, acr: str) -> HttpResponse:
    grant.request.acr, grant.request.auth_time = acr, auth_time
    return server.create_authorization_response(request=grant.request, grant_user=identity, grant=grant)


def _sign_in_page(
    request: HttpRequest, grant: Any, form: SignInForm, signed_in: tuple[Identity, int] | None, status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "sandbox_idp/sign_in.html",
        {
            "client": grant.client,
            "form": form,
            "signed_in": signed_in[0] if signed_in else None,
            "identities": Identity.objects.order_by("created_at", "pk")[:20],
            "action": request.get_full_path(),
        },
        status=status,
    )
    # The form's answer is a redirect to the client: allow the client's origin as a form target
    # (CSP form-action also governs where a submitted form may be redirected).
    target = urlsplit(grant.redirect_uri)
    response._csp_config = {  # type: ignore[attr-defined]  # what django's @csp_override sets
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, f"{target.scheme}://{target.netloc}"],
    }
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Sign-in page of the provider, and the failures a client must survive, on buttons."""
    signed_in = _signed_in(request)
    try:
        grant = server.get_consent_grant(request, end_user=signed_in[0] if signed_in else None)
    except OAuth2Error as error:
        return _refuse(request, error)
    if request.method == "GET":
        if signed_in and request.GET.get("prompt") == "none":
            return _issue_code(grant, signed_in[0], auth_time=signed_in[1], acr=ACR_SUBSTANTIAL)
        form = SignInForm(initial={"national_id": request.GET.get("login_hint", "")})
        return _sign_in_page(request, grant, form, signed_in if grant.prompt != "login" else None)

    action = request.POST.get("action")
    if action == "cancel":
        return server.create_authorization_response(request=grant.request, grant_user=None, grant=grant)
    if action == "error":
        simulated = OAuth2Error(
            error="server_error",
            description="The sandbox identity provider simulated a failure.",
            redirect_uri=grant.redirect_uri,
            state=grant.request.payload.state,
        )
        return server.handle_error_response(grant.request, simulated)
    if action == "continue" and signed_in:
        return _issue_code(grant, signed_in[0], auth_time=signed_in[1], acr=ACR_SUBSTANTIAL)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _sign_in_page(request, grant, form, signed_in, status=400)
    auth_time = int(time.time())
    acr = ACR_LOW if action == "sign_in_low" else ACR_SUBSTANTIAL  # acr_values asked for do not change it
    response = _issue_code(grant, form.identity, auth_time=auth_time, acr=acr)
    _remember(request, response, form.identity, auth_time)
    return response


# --- token, userinfo, logout ---------------------------------------------------------------


@csrf_exempt  # called by the client's server, authenticated by its secret
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    return server.create_token_response(request)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@require_token("openid")
def userinfo(request: HttpRequest) -> HttpResponse:
    identity: Identity = request.oauth_token.identity  # type: ignore[attr-defined]
    response = HttpResponse(json.dumps(identity.claims(), ensure_ascii=False), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # RP-initiated logout may be a cross-site form post; it can only sign out
@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """RP-Initiated Logout 1.0: end the provider's sign-in, then back to a registered address."""
    try:
        response = server.create_endpoint_response(
            "end_session", server.validate_endpoint_request("end_session", request)
        )
    except OAuth2Error as error:
        response = render(request, "sandbox_idp/signed_out.html", {"error": error.get_error_description()}, status=400)
    if response is None:
        response = render(request, "sandbox_idp/signed_out.html", {})
    _forget(response)
    return response
