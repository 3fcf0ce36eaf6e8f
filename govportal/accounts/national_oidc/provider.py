from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest

from govportal.accounts.national_oidc.views import NationalOIDCAdapter


class NationalOIDCProvider(OpenIDConnectProvider):
    """allauth's generic OpenID Connect provider, adding a ``nonce`` to each sign-in."""

    oauth2_adapter_class = NationalOIDCAdapter
    package = "govportal.accounts.national_oidc"  # our urls.py: allauth's two views, with our adapter

    def get_redirect_from_request_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        kwargs = super().get_redirect_from_request_kwargs(request)
        nonce = secrets.token_urlsafe(32)
        kwargs["auth_params"]["nonce"] = nonce  # sent to the provider …
        kwargs["nonce"] = nonce  # … and kept in allauth's state for this sign-in (``sociallogin.state``)
        return kwargs
