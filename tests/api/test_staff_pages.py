"""The entity's head manages its API clients: create (the secret shown once), replace the secret,
revoke — each through a page; others see nothing."""

from __future__ import annotations

import re

import pytest

from govportal.accounts.constants import Role
from govportal.api.models import ApiClient
from govportal.audit.models import AuditEvent
from tests.api.conftest import token_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(staff_client):
    membership = MembershipFactory(role=Role.ENTITY_HEAD)
    return membership, staff_client(membership)


def shown_secret(page: str) -> str:
    return re.search(r'<code class="secret">([^<]+)</code>', page).group(1)


def test_the_head_creates_a_client_and_sees_its_secret_once(client, head):
    membership, browser = head
    response = browser.post(
        "/integrations/new/",
        {"entity": membership.entity.pk, "name": "Billing system", "scopes": ["bills:write", "bills:read"]},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    api_client = ApiClient.objects.get(entity=membership.entity)
    secret = shown_secret(response.content.decode())
    assert token_for(client, api_client, secret).status_code == 200
    detail = browser.get(f"/integrations/{api_client.pk}/").content.decode()
    assert api_client.client_id in detail and secret not in detail
    assert AuditEvent.objects.filter(action="api_client_create", actor=membership.user).exists()


def test_an_empty_form_says_what_is_missing_and_creates_nothing(head):
    _membership, browser = head
    response = browser.post("/integrations/new/", {"name": ""})
    assert response.status_code == 400 and not ApiClient.objects.exists()


def test_the_head_replaces_the_secret_after_a_confirmation(client, head, api_client_of):
    membership, browser = head
    api_client, old = api_client_of("verify", entity=membership.entity)
    confirm = browser.get(f"/integrations/{api_client.pk}/rotate/")
    assert confirm.status_code == 200 and token_for(client, api_client, old).status_code == 200
    new = shown_secret(browser.post(f"/integrations/{api_client.pk}/rotate/").content.decode())
    assert token_for(client, api_client, old).status_code == 401
    assert token_for(client, api_client, new).status_code == 200


def test_the_head_revokes_a_client_after_a_confirmation(client, head, api_client_of):
    membership, browser = head
    api_client, secret = api_client_of("verify", entity=membership.entity)
    assert browser.get(f"/integrations/{api_client.pk}/revoke/").status_code == 200
    assert ApiClient.objects.get().is_active
    browser.post(f"/integrations/{api_client.pk}/revoke/")
    assert not ApiClient.objects.get().is_active
    assert token_for(client, api_client, secret).status_code == 401


def test_another_entitys_client_and_the_pages_for_non_heads_are_404(staff_client, head, api_client_of):
    _membership, browser = head
    other, _secret = api_client_of("verify")
    assert browser.get(f"/integrations/{other.pk}/").status_code == 404
    assert browser.post(f"/integrations/{other.pk}/revoke/").status_code == 404
    clerk = staff_client(MembershipFactory(role=Role.REGISTRY_CLERK))
    assert clerk.get("/integrations/").status_code == 404
