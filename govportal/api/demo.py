"""Demo API clients (``seed_demo``): fixed client IDs and secrets derived from the demo password, so that
``make run`` prints the same credentials every time. Never used outside the demo world."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import check_password
from django.db import transaction

from govportal.api.models import ApiClient
from govportal.api.services import api_client_create
from govportal.entities.models import Entity


def demo_secret(password: str, client_id: str) -> str:
    """The demo client's secret: the same for the same demo password, unguessable without it."""
    digest = hmac.new(password.encode(), f"govportal-demo-api:{client_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@transaction.atomic
def demo_api_client(
    *, entity_code: str, name: str, client_id: str, scopes: Sequence[str], password: str
) -> tuple[ApiClient, dict[str, Any]]:
    """The demo client ``client_id`` of the entity, made once; its secret and scopes set again on each run
    (the demo password may have changed). Returns it and its line of ``seed_demo``'s ``api_clients``."""
    secret = demo_secret(password, client_id)
    client = ApiClient.objects.select_related("application").filter(application__client_id=client_id).first()
    if client is None:
        client, secret = api_client_create(
            entity=Entity.objects.get(code=entity_code),
            name=name,
            scopes=scopes,
            actor=None,
            client_id=client_id,
            secret=secret,
        )
    else:
        application = client.application
        if not check_password(secret, application.client_secret):
            application.client_secret = secret  # hashed again on save
            application.save(update_fields=["client_secret"])
        if client.scopes != list(scopes) or client.revoked_at is not None:
            client.scopes, client.revoked_at = list(scopes), None
            client.save(update_fields=["scopes", "revoked_at"])
    return client, {"entity": entity_code, "client_id": client_id, "client_secret": secret, "scopes": list(scopes)}


# The Federal Board of Supreme Audit's auditors check printed certificates, receipts and letters by machine.
VERIFIER_CLIENT_ID = "demo-fbsa-verifier"


def demo_verifier(password: str) -> list[dict[str, Any]]:
    _client, line = demo_api_client(
        entity_code="FBSA",
        name="Audit document checker",
        client_id=VERIFIER_CLIENT_ID,
        scopes=["verify"],
        password=password,
    )
    return [line]
