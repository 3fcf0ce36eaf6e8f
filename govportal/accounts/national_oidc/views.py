from __future__ import annotations

import logging
from typing import Any

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class NationalOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        """The ID token checked by allauth against the provider's JWKS, always (signature, ``iss``,
        ``aud``, ``exp``, and a ``jti`` not seen before)."""
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def provider_unreachable(request: HttpRequest, provider_id: str) -> HttpResponse:
    """The provider did not answer (its discovery document could not be read): say so, and offer
    the e-mail sign-in. Nothing was stored."""
    return render(
        request,
        "socialaccount/authentication_error.html",
        {"unreachable": True, "provider_id": provider_id},
        status=503,
    )


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(NationalOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
    except requests.RequestException:
        logger.warning("National sign-in provider %s unreachable", provider_id, exc_info=True)
        return provider_unreachable(request, provider_id)


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(NationalOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
