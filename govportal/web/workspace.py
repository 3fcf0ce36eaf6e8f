"""Task cards on an entity's workspace. Domain apps contribute theirs (the core imports none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govportal.entities.models import Entity


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    count: int | None = None
    count_label: str = ""
    alert: int = 0  # e.g. overdue items, shown as a red tag
    alert_label: str = ""
    # The count and the alert as whole phrases with their plural forms (ngettext: "1 bill to pay",
    # Arabic's six forms), shown instead of "count count_label" when given.
    count_text: str = ""
    alert_text: str = ""


CardProvider = Callable[[Any, Entity, set[str]], list[Card]]
CARD_PROVIDERS: list[CardProvider] = []


def register(provider: CardProvider) -> None:
    if provider not in CARD_PROVIDERS:
        CARD_PROVIDERS.append(provider)


def workspace_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    return [card for provider in CARD_PROVIDERS for card in provider(user, entity, roles)]


# Citizens' own services (bills, loans…) on their account page, contributed the same way.
CitizenCardProvider = Callable[[Any], list[Card]]
CITIZEN_CARD_PROVIDERS: list[CitizenCardProvider] = []


def register_citizen(provider: CitizenCardProvider) -> None:
    if provider not in CITIZEN_CARD_PROVIDERS:
        CITIZEN_CARD_PROVIDERS.append(provider)


def citizen_cards(user: Any) -> list[Card]:
    return [card for provider in CITIZEN_CARD_PROVIDERS for card in provider(user)]
