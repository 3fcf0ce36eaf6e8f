"""django-oauth-toolkit, configured: a client gets the scopes it was given, and none once revoked."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import SettingsScopes


class ClientScopes(SettingsScopes):
    """DOT's scopes backend (``SCOPES_BACKEND_CLASS``): what a client may ask for is what its entity's
    head gave it; a revoked client, nothing (so it gets no token)."""

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = getattr(application, "api_client", None) if application is not None else None
        if client is None or not client.is_active:
            return []
        return list(client.scopes)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return self.get_available_scopes(application, request)
