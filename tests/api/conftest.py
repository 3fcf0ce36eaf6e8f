from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from govportal.api.models import ApiClient
from govportal.api.services import api_client_create
from tests.collection.payments_world import world  # noqa: F401 — notifications tests pay bills
from tests.factories import EntityFactory


@pytest.fixture
def api_client_of() -> Callable[..., tuple[ApiClient, str]]:
    """An API client of an entity (a new one unless given), with these scopes, and its secret."""

    def make(*scopes: str, entity: Any = None) -> tuple[ApiClient, str]:
        return api_client_create(
            entity=entity or EntityFactory(), name="Billing system", scopes=scopes or ("bills:read",), actor=None
        )

    return make


def token_for(client: Client, api_client: ApiClient, secret: str, **extra: str) -> Any:
    return client.post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "client_id": api_client.client_id, "client_secret": secret, **extra},
    )


@pytest.fixture
def bearer(client: Client) -> Callable[[ApiClient, str], dict[str, str]]:
    """The headers of a call with a fresh access token of this client."""

    def headers(api_client: ApiClient, secret: str) -> dict[str, str]:
        response = token_for(client, api_client, secret)
        assert response.status_code == 200, response.content
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers
