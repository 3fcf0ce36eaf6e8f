"""Task cards on an entity's workspace. Domain apps contribute theirs (the core imports none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator

from govportal.audit.labels import FeedItem, feed
from govportal.audit.models import AuditEvent
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


# Links in every page's header for work waiting on this person ("Awaiting your approval (3)"),
# contributed the same way. A provider runs on every page a signed-in person opens: one cheap query.
@dataclass(frozen=True)
class HeaderLink:
    label: str
    url: str
    count: int = 0
    count_text: str = ""  # the count in words, for screen readers ("3 letters")


HeaderLinkProvider = Callable[[Any], HeaderLink | None]
HEADER_LINK_PROVIDERS: list[HeaderLinkProvider] = []


def register_header(provider: HeaderLinkProvider) -> None:
    if provider not in HEADER_LINK_PROVIDERS:
        HEADER_LINK_PROVIDERS.append(provider)


def header_links(user: Any) -> list[HeaderLink]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [link for provider in HEADER_LINK_PROVIDERS if (link := provider(user)) is not None]


def activity(
    reader: Any, entity: Entity, page_number: str | None, *, per_page: int = 20
) -> tuple[Page[Any], list[FeedItem]]:
    """A page of the entity's recent activity, newest first, each event told to the reader as a
    sentence in their language with its target linked where they may open it."""
    events = AuditEvent.objects.for_entity(entity).select_related("actor", "entity")
    page = Paginator(events, per_page).get_page(page_number)
    return page, feed(page.object_list, reader)
