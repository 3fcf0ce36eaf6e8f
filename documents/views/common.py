"""What every documents view shares: which entity's mail, which roles, errors beside fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from documents import selectors
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of, roles_in
from govportal.entities.models import Entity
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

PAGE_SIZE = 25
SESSION_ENTITY = "documents_entity"


def has_role(user: Any, entity: Entity, roles: Iterable[Role]) -> bool:
    return bool(roles_in(user, entity) & {str(role) for role in roles})


def staff_entities(request: HttpRequest) -> list[Entity]:
    """The entities whose mail this person handles (one query, kept for the request)."""
    cached: list[Entity] | None = getattr(request, "_documents_entities", None)
    if cached is None:
        cached = list(entities_of(request.user, roles=selectors.STAFF_ROLES).order_by("path"))
        request._documents_entities = cached  # type: ignore[attr-defined]
    return cached


def current_entity(request: HttpRequest) -> Entity:
    """The entity whose mail this person is handling: the one they chose (the switch on every
    documents page, or ``?entity=CODE`` from a workspace card: both remembered), else their first."""
    entities = staff_entities(request)
    by_code = {entity.code: entity for entity in entities}
    wanted = request.GET.get("entity") or request.session.get(SESSION_ENTITY)
    entity = by_code.get(wanted or "") or (entities[0] if entities else None)
    if entity is None:
        raise Http404
    if request.GET.get("entity") == entity.code:
        request.session[SESSION_ENTITY] = entity.code
    return entity


def nav_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {
        "entity": entity,
        "my_entities": staff_entities(request),
        "is_head": has_role(request.user, entity, selectors.HEAD_ROLES),
        "can_write": has_role(request.user, entity, selectors.WRITER_ROLES),
    }


def _same_page(request: HttpRequest, target: str) -> str:
    """Where to go back after switching: the page the switch was on, without its entity and page
    number (they belonged to the entity left); the inbox if that is not a page of this site."""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/documents/"
    parts = urlsplit(target)
    query = QueryDict(parts.query, mutable=True)
    for name in ("entity", "page", "after"):
        query.pop(name, None)
    return parts.path + (f"?{urlencode(query, doseq=True)}" if query else "")


@login_required
@require_POST
def entity_switch(request: HttpRequest) -> HttpResponse:
    """Work for another of one's own entities: remembered for the session. Only entities where the
    person is staff: any other code is a 404, as if it did not exist."""
    chosen = {entity.code: entity for entity in staff_entities(request)}.get(request.POST.get("entity", ""))
    if chosen is None:
        raise Http404
    request.session[SESSION_ENTITY] = chosen.code
    return redirect(_same_page(request, request.POST.get("next", "")))
