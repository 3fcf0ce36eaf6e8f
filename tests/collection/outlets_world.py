"""Outlets as tests need them: factories with traits for the outlet's state, its terminals, and a
helper for an outlet ready to take payments (open, a terminal, its cashiers assigned)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from collection.models import CashierAssignment, Outlet
from govportal.entities.models import Entity
from tests.factories import OutletFactory, TerminalFactory

__all__ = ["OutletFactory", "TerminalFactory", "outlet_at_work"]


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
