"""What every documents view shares: which entity's mail, which roles, errors beside fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404

from documents import selectors
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of, roles_in
from govportal.entities.models import Entity
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

PAGE_SIZE = 25
SESSION_ENTITY = "documents_entity"


def has_role(user: Any, entity: Entity, roles: Iterable[Role]) -> bool:
    return bool(roles_in(user, entity) & {str(role) for role in roles})


def current_entity(request: HttpRequest) -> Entity:
    """The entity whose mail this person is handling: ``?entity=CODE`` (remembered), else their first."""
    entities = entities_of(request.user, roles=selectors.STAFF_ROLES).order_by("path")
    wanted = request.GET.get("entity") or request.session.get(SESSION_ENTITY)
    entity = (entities.filter(code=wanted).first() if wanted else None) or entities.first()
    if entity is None:
        raise Http404
    if request.GET.get("entity") == entity.code:
        request.session[SESSION_ENTITY] = entity.code
    return entity


def nav_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {
        "entity": entity,
        "is_head": has_role(request.user, entity, selectors.HEAD_ROLES),
        "can_write": has_role(request.user, entity, selectors.WRITER_ROLES),
    }
