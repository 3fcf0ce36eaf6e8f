"""The API's door: client credentials, scopes, revocation, expiry, the rate limit, the audit of every
call, JSON errors in the caller's language, and the OpenAPI 3.1 document with its documentation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.utils import timezone
from oauth2_provider.models import AccessToken

from govportal.api.services import api_client_revoke, api_client_rotate
from govportal.audit.models import AuditEvent
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db


def test_client_credentials_give_a_token_that_opens_the_api(client, api_client_of):
    api_client, secret = api_client_of("bills:read", "verify")
    token = token_for(client, api_client, secret)
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "Bearer" and set(body["scope"].split()) == {"bills:read", "verify"}
    me = client.get("/api/v1/client", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "client_id": api_client.client_id,
        "name": "Billing system",
        "entity": api_client.entity.code,
        "scopes": ["bills:read", "verify"],
    }


def test_the_secret_is_stored_hashed(api_client_of):
    api_client, secret = api_client_of()
    stored = api_client.application.client_secret
    assert stored != secret and identify_hasher(stored) and check_password(secret, stored)


def test_a_wrong_secret_gets_no_token(client, api_client_of):
    api_client, _secret = api_client_of()
    assert token_for(client, api_client, "not-the-secret").status_code == 401


def test_a_scope_the_client_was_not_given_is_refused(client, api_client_of):
    api_client, secret = api_client_of("verify")
    response = token_for(client, api_client, secret, scope="bills:write")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_no_token_or_a_bad_one_is_401_in_json(client):
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        response = client.get("/api/v1/client", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


def test_an_expired_token_is_refused(client, api_client_of, bearer):
    api_client, secret = api_client_of()
    headers = bearer(api_client, secret)
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/client", headers=headers).status_code == 401


def test_a_revoked_client_loses_its_tokens_and_gets_no_new_one(client, api_client_of, bearer):
    api_client, secret = api_client_of()
    headers = bearer(api_client, secret)
    api_client_revoke(client=api_client, actor=None)
    assert client.get("/api/v1/client", headers=headers).status_code == 401
    assert token_for(client, api_client, secret).status_code == 401


def test_a_rotated_secret_replaces_the_old_one(client, api_client_of, bearer):
    api_client, old = api_client_of()
    headers = bearer(api_client, old)
    new = api_client_rotate(client=api_client, actor=None)
    assert client.get("/api/v1/client", headers=headers).status_code == 401
    assert token_for(client, api_client, old).status_code == 401
    assert token_for(client, api_client, new).status_code == 200


def test_calls_beyond_the_rate_limit_get_429_with_retry_after(client, api_client_of, bearer, settings):
    settings.API_RATE_LIMIT = 3
    api_client, secret = api_client_of()
    headers = bearer(api_client, secret)
    statuses = [client.get("/api/v1/client", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/client", headers=headers)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_every_call_is_audited_with_its_client(client, api_client_of, bearer):
    api_client, secret = api_client_of()
    headers = bearer(api_client, secret)
    client.get("/api/v1/client", headers=headers)
    event = AuditEvent.objects.filter(action="api_call").get()
    assert event.target_id == str(api_client.pk) and event.entity_id == api_client.entity_id
    assert event.data == {"method": "GET", "path": "/api/v1/client", "status": 200}


def test_errors_follow_accept_language(client):
    arabic = client.get("/api/v1/client", headers={"Accept-Language": "ar"}).json()["error"]["message"]
    kurdish = client.get("/api/v1/client", headers={"Accept-Language": "ckb-IQ"}).json()["error"]["message"]
    english = client.get("/api/v1/client", headers={"Accept-Language": "en"}).json()["error"]["message"]
    assert english.startswith("Send a valid access token")
    assert arabic != english and kurdish != english and arabic != kurdish


def test_the_openapi_document_is_3_1_with_client_credentials(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    flow = next(iter(schemes.values()))["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/oauth/token" and "bills:write" in flow["scopes"]


def test_the_documentation_is_served_by_the_portal_itself(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
