"""Gapless numbers people cite: one row per (entity, register, year), locked while taking a number."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from govportal.entities.models import Entity
from govportal.numbering.models import Counter


def counter_next(*, entity: Entity, register: str, year: int, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers and return the first.

    Must run inside the transaction that uses the number: the row stays locked until it
    commits, so concurrent callers queue and a rolled-back caller leaves no gap.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counter_next must be called inside transaction.atomic()")
    Counter.objects.bulk_create([Counter(entity=entity, register=register, year=year)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(entity=entity, register=register, year=year)
    Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    return counter.value + 1
