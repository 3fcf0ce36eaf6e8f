"""The national identity providers, read from the environment only (imported by settings).

``NATIONAL_OIDC_*`` configures the first provider (the federal platform, Ur) and
``NATIONAL_OIDC_2_*`` an optional second one (the Kurdistan Region's KRDPass), each with:

ISSUER         the provider's issuer URL (its discovery document is ``<ISSUER>/.well-known/openid-configuration``)
CLIENT_ID      the portal's client id there
CLIENT_SECRET  its secret (or CLIENT_SECRET_FILE)
ID_CLAIM       the claim holding the national ID number (KRDPass: ``upn``)
ACR            optional: the assurance levels asked for (``acr_values``) and accepted back, space-separated
               (KRDPass: ``idp:urn:krg:identity:citizen``); when set, an ID token with another ``acr`` is refused
NAME           optional: the provider's name on the sign-in button
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govportal.env import env_secret, env_str

REQUIRED = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "ID_CLAIM")
# (prefix, allauth provider id, the name on the button unless <prefix>_NAME says otherwise)
PROVIDERS: tuple[tuple[str, str, Any], ...] = (
    ("NATIONAL_OIDC", "national", _("Ur, the national platform")),
    ("NATIONAL_OIDC_2", "national-2", "KRDPass"),
)
SANDBOX_ACR = "urn:govportal:sandbox:acr:substantial"


def _provider(prefix: str, provider_id: str, name: Any, defaults: dict[str, Any]) -> dict[str, Any] | None:
    values = {
        key: env_secret(f"{prefix}_{key}") if key == "CLIENT_SECRET" else env_str(f"{prefix}_{key}") for key in REQUIRED
    }
    if not any(values.values()):
        values = {key: defaults.get(key, "") for key in REQUIRED}
    if not any(values.values()):
        return None
    missing = [f"{prefix}_{key}" for key in REQUIRED if not values.get(key)]
    if missing:
        raise ImproperlyConfigured(
            f"The national sign-in provider {prefix}_* is half configured: set {', '.join(missing)} "
            f"(or none of {', '.join(f'{prefix}_{key}' for key in REQUIRED)} to turn it off)."
        )
    acr = (env_str(f"{prefix}_ACR") or defaults.get("ACR", "")).split()
    return {
        "provider_id": provider_id,
        "name": env_str(f"{prefix}_NAME") or defaults.get("NAME", name),
        "client_id": values["CLIENT_ID"],
        "secret": values["CLIENT_SECRET"],
        "settings": {
            "server_url": values["ISSUER"].rstrip("/"),
            "oauth_pkce_enabled": True,
            "scope": ["openid", "profile"],
            "auth_params": {"acr_values": " ".join(acr)} if acr else {},
            "acr_values": acr,
            "id_claim": values["ID_CLAIM"],
        },
    }


def national_oidc_apps(*, sandbox_issuer: str = "", sandbox_secret: str = "") -> list[dict[str, Any]]:
    """allauth ``APPS`` for the configured providers. With the sandbox identity provider on and the
    first provider not configured, the first provider is the sandbox."""
    sandbox = {"ISSUER": sandbox_issuer, "CLIENT_ID": "govportal", "CLIENT_SECRET": sandbox_secret, "ID_CLAIM": "upn"}
    apps = []
    for prefix, provider_id, name in PROVIDERS:
        defaults = (
            {**sandbox, "ACR": SANDBOX_ACR, "NAME": _("the sandbox identity provider")}
            if sandbox_issuer and prefix == "NATIONAL_OIDC"
            else {}
        )
        if (app := _provider(prefix, provider_id, name, defaults)) is not None:
            apps.append(app)
    return apps
