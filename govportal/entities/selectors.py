"""Reads of the entity tree that several pages share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from govportal.entities.constants import LinkagePhase
from govportal.entities.models import Entity, EntityQuerySet, RolloutPhase


@dataclass(frozen=True)
class PhaseProgress:
    number: int
    label: str
    is_open: bool
    linked: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.linked / self.total) if self.total else 0


def rollout_progress() -> list[PhaseProgress]:
    """Linked / total entities per linkage phase, in one grouped query."""
    counts: dict[int, dict[str, int]] = {
        row["linkage_phase"]: {"total": row["total"], "linked": row["linked"]}
        for row in Entity.objects.filter(is_active=True)
        .values("linkage_phase")
        .annotate(total=Count("pk"), linked=Count("pk", filter=Q(linked_at__isnull=False)))
    }
    open_phases = set(RolloutPhase.objects.filter(opened_at__isnull=False).values_list("number", flat=True))
    return [
        PhaseProgress(
            number=phase.value,
            label=str(phase.label),
            is_open=phase.value in open_phases,
            linked=counts.get(phase.value, {}).get("linked", 0),
            total=counts.get(phase.value, {}).get("total", 0),
        )
        for phase in LinkagePhase
    ]


def unlinked_entities(*, phase: int | None = None) -> EntityQuerySet:
    entities = Entity.objects.filter(is_active=True).unlinked()
    if phase is not None:
        entities = entities.in_phase(phase)
    return entities.select_related("parent").order_by("linkage_phase", "path")
