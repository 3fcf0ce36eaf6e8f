"""Writes to API clients: created, their secret replaced, revoked — each audited. A secret is
returned once, to be shown once: only its hash is kept (django-oauth-toolkit hashes it on save)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, get_application_model

from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.api.models import ApiClient
from govportal.api.scopes import SCOPES
from govportal.audit.services import audit_record
from govportal.entities.models import Entity

Application = get_application_model()


def require_head(actor: User | None, entity: Entity) -> None:
    """The entity's head manages its clients (an administrator acts through the admin as anyone)."""
    if actor is not None and not actor.is_superuser and Role.ENTITY_HEAD not in roles_in(actor, entity):
        raise PermissionDenied


def _new_secret() -> str:
    return secrets.token_urlsafe(36)


@transaction.atomic
def api_client_create(
    *,
    entity: Entity,
    name: str,
    scopes: Iterable[str],
    actor: User | None,
    request: HttpRequest | None = None,
    client_id: str | None = None,
    secret: str | None = None,
) -> tuple[ApiClient, str]:
    """A new client of ``entity``; returns it and its secret (``client_id``/``secret`` fixed only by the
    demo world, so that its printed credentials stay the same)."""
    require_head(actor, entity)
    chosen = list(dict.fromkeys(scopes))
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the client a name: the system that will call the API.")
    if not chosen:
        errors["scopes"] = _("Choose at least one thing the client may do.")
    elif unknown := [scope for scope in chosen if scope not in SCOPES]:
        errors["scopes"] = _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    secret = secret or _new_secret()
    application = Application(
        name=f"{entity.code}: {name.strip()}"[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    if client_id:
        application.client_id = client_id
    application.save()
    client = ApiClient.objects.create(
        entity=entity, name=name.strip(), application=application, scopes=chosen, created_by=actor
    )
    audit_record(
        action="api_client_create",
        actor=actor,
        entity=entity,
        target=client,
        data={"client_id": client.client_id, "scopes": chosen},
        request=request,
    )
    return client, secret


@transaction.atomic
def api_client_rotate(*, client: ApiClient, actor: User | None, request: HttpRequest | None = None) -> str:
    """A new secret; the old one and every token issued with it stop working at once."""
    require_head(actor, client.entity)
    if not client.is_active:
        raise ValidationError(_("This client is revoked."))
    secret = _new_secret()
    application = client.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    AccessToken.objects.filter(application=application).delete()
    audit_record(action="api_client_rotate", actor=actor, entity=client.entity, target=client, request=request)
    return secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor: User | None, request: HttpRequest | None = None) -> None:
    """The client can no longer get a token, and its tokens stop working at once."""
    require_head(actor, client.entity)
    if not client.is_active:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    application = client.application
    application.client_secret = _new_secret()  # told to no one: the client cannot get a token again
    application.save(update_fields=["client_secret"])
    AccessToken.objects.filter(application=application).delete()
    audit_record(action="api_client_revoke", actor=actor, entity=client.entity, target=client, request=request)
