"""Writes to the entity tree and to the linkage rollout, each audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.audit.services import audit_record
from govportal.entities.hierarchy import Node
from govportal.entities.models import Entity, RolloutPhase


def _path_for(code: str, parent: Entity | None) -> str:
    return f"{parent.path if parent else '/'}{code}/"


@transaction.atomic
def entity_create(
    *,
    code: str,
    kind: str,
    name_ar: str,
    name_en: str,
    name_ckb: str = "",
    parent: Entity | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Entity:
    entity = Entity(
        code=code,
        kind=kind,
        name_ar=name_ar,
        name_en=name_en,
        name_ckb=name_ckb,
        parent=parent,
        path=_path_for(code, parent),
        depth=parent.depth + 1 if parent else 0,
    )
    entity.full_clean(exclude=["path", "depth"])
    entity.save(force_insert=True)
    audit_record(action="entity_create", actor=actor, entity=entity, target=entity, request=request)
    return entity


@transaction.atomic
def entity_move(
    *, entity: Entity, parent: Entity | None, actor: Any = None, request: HttpRequest | None = None
) -> Entity:
    """Put ``entity`` (and its whole subtree) under ``parent``."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if not entity.can_move_under(parent):
        raise ValidationError(_("An entity cannot be placed under itself or one of its own sub-entities."))
    old_path, old_depth = entity.path, entity.depth
    new_path = _path_for(entity.code, parent)
    new_depth = parent.depth + 1 if parent else 0
    Entity.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (new_depth - old_depth),
    )
    Entity.objects.filter(pk=entity.pk).update(parent=parent)
    entity.refresh_from_db()
    audit_record(
        action="entity_move",
        actor=actor,
        entity=entity,
        target=entity,
        data={"from": old_path, "to": new_path},
        request=request,
    )
    return entity


@transaction.atomic
def entity_update(
    *, entity: Entity, changed: list[str], actor: Any = None, request: HttpRequest | None = None
) -> Entity:
    """Save edits to names and the active flag (the code, kind and path never change here)."""
    editable = [
        name for name in changed if name in {"name_ar", "name_en", "name_ckb", "is_active", "letter_number_format"}
    ]
    if editable:
        entity.save(update_fields=editable)
        audit_record(
            action="entity_change",
            actor=actor,
            entity=entity,
            target=entity,
            data={name: getattr(entity, name) for name in editable},
            request=request,
        )
    return entity


@transaction.atomic
def phase_open(*, number: int, actor: Any = None, request: HttpRequest | None = None) -> RolloutPhase:
    phase, _created = RolloutPhase.objects.select_for_update().get_or_create(number=number)
    if phase.opened_at is None:
        phase.opened_at = timezone.now()
        phase.save(update_fields=["opened_at"])
        audit_record(action="phase_open", actor=actor, target=phase, data={"phase": number}, request=request)
    return phase


@transaction.atomic
def entity_link(*, entity: Entity, actor: Any = None, request: HttpRequest | None = None) -> Entity:
    """Join ``entity`` to electronic exchange. Allowed only once its linkage phase is open."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if entity.is_linked:
        return entity
    phase = RolloutPhase.objects.filter(number=entity.linkage_phase).first()
    if phase is None or not phase.is_open:
        raise ValidationError(
            _("%(entity)s cannot be linked yet: %(phase)s is not open.")
            % {"entity": entity.name, "phase": entity.linkage_phase_label},
            code="phase_closed",
        )
    if not entity.is_active:
        raise ValidationError(_("%(entity)s is inactive and cannot be linked.") % {"entity": entity.name})
    entity.linked_at = timezone.now()
    entity.save(update_fields=["linked_at"])
    audit_record(
        action="entity_link",
        actor=actor,
        entity=entity,
        target=entity,
        data={"phase": entity.linkage_phase},
        request=request,
    )
    return entity


@transaction.atomic
def entity_unlink(*, entity: Entity, reason: str, actor: Any = None, request: HttpRequest | None = None) -> Entity:
    """Return an entity to paper exchange (e.g. linked by mistake); the reason is kept in the audit log."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if not entity.is_linked:
        return entity
    entity.linked_at = None
    entity.save(update_fields=["linked_at"])
    audit_record(
        action="entity_unlink", actor=actor, entity=entity, target=entity, data={"reason": reason}, request=request
    )
    return entity


def hierarchy_load(nodes: Iterable[Node], *, actor: Any = None) -> int:
    """Create the entities of ``nodes`` that do not exist yet (idempotent); returns how many were created."""
    existing = {entity.code: entity for entity in Entity.objects.all()}
    created = 0
    for node in nodes:
        if node.code in existing:
            continue
        existing[node.code] = entity_create(
            code=node.code,
            kind=node.kind,
            name_ar=node.name_ar,
            name_en=node.name_en,
            name_ckb=node.name_ckb,
            parent=existing[node.parent] if node.parent else None,
            actor=actor,
        )
        created += 1
    return created
