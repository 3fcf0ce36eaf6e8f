"""Outlets as tests need them: factories with traits for the outlet's state, its terminals, and a
helper for an outlet ready to take payments (open, a terminal, its cashiers assigned)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from django.utils import timezone

from collection.constants import Governorate, OutletStatus
from collection.models import CashierAssignment, Outlet, Terminal
from govportal.entities.models import Entity
from tests.factories import EntityFactory


class OutletFactory(factory.django.DjangoModelFactory):
    """An outlet being set up (``open`` and ``closed`` traits for the other states)."""

    class Meta:
        model = Outlet

    entity = factory.SubFactory(EntityFactory)
    code = factory.Sequence(lambda n: f"OUT-{n:02d}")
    name_ar = factory.Sequence(lambda n: f"منفذ تجريبي {n}")
    name_en = factory.Sequence(lambda n: f"Test outlet {n}")
    governorate = Governorate.BAGHDAD
    address_ar = "بغداد، الكرخ، شارع حيفا"
    address_en = "Haifa Street, Karkh, Baghdad"

    class Params:
        open = factory.Trait(status=OutletStatus.OPEN, opened_at=factory.LazyFunction(timezone.now))
        closed = factory.Trait(
            status=OutletStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now), close_reason="نقل المنفذ"
        )


class TerminalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terminal

    outlet = factory.SubFactory(OutletFactory)
    terminal_id = factory.Sequence(lambda n: f"T-{n:04d}")

    class Params:
        closed = factory.Trait(closed_at=factory.LazyFunction(timezone.now), close_reason="عطل")


def outlet_at_work(
    entity: Entity, *, cashiers: Iterable[Any], terminals: Iterable[str] = ("T-0042",), **fields: Any
) -> Outlet:
    """An open outlet of ``entity`` with open ``terminals`` and ``cashiers`` assigned."""
    outlet: Outlet = OutletFactory.create(entity=entity, open=True, **fields)
    for terminal_id in terminals:
        TerminalFactory(outlet=outlet, terminal_id=terminal_id)
    for cashier in cashiers:
        CashierAssignment.objects.create(outlet=outlet, cashier=cashier)
    return outlet
