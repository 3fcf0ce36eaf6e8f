from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from documents.constants import PRIORITY_ORDER, LetterStatus, Priority
from documents.models import Letter
from documents.selectors import HEAD_ROLES, STAFF_ROLES, approvals_waiting, inbox, open_referrals
from govportal.entities.models import Entity
from govportal.web.workspace import Card, HeaderLink

# The home page's cards count up to here and no further: "more than 99" is all a clerk needs to know,
# and each count then reads at most this many rows, however large the inbox has grown.
CARD_COUNT_CAP = 100


def capped_count(rows: QuerySet[Any]) -> int:
    """How many rows, counting no further than CARD_COUNT_CAP (COUNT over a LIMIT). Unordered: the
    order of a list would make PostgreSQL read the rows in it, not by the index that finds them first."""
    return rows.order_by()[:CARD_COUNT_CAP].count()


@contextmanager
def serial_counts() -> Iterator[None]:
    """No parallel workers for the capped counts (PostgreSQL): the planner reckons with thousands of
    unread letters and starts two workers to find the first 100, and starting them costs more than
    the count itself (1-4 ms of work behind 20-30 ms of Gather on a busy 2-core machine)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def _capped(count: int, below: Callable[[int], str], above: Callable[[int], str]) -> str:
    """The phrase for a capped count: ``below(count)`` under the cap, ``above(cap - 1)`` at it."""
    return below(count) if count < CARD_COUNT_CAP else above(CARD_COUNT_CAP - 1)


def unread_text(count: int) -> str:
    return _capped(
        count,
        lambda n: ngettext("%(count)s unread letter", "%(count)s unread letters", n) % {"count": n},
        lambda n: ngettext("More than %(count)s unread letter", "More than %(count)s unread letters", n) % {"count": n},
    )


def immediate_text(count: int) -> str:
    return _capped(
        count,
        lambda n: ngettext("%(count)s immediate", "%(count)s immediate", n) % {"count": n},
        lambda n: ngettext("More than %(count)s immediate", "More than %(count)s immediate", n) % {"count": n},
    )


def to_approve_text(count: int) -> str:
    return _capped(
        count,
        lambda n: (
            ngettext("%(count)s letter to approve and sign", "%(count)s letters to approve and sign", n) % {"count": n}
        ),
        lambda n: (
            ngettext(
                "More than %(count)s letter to approve and sign", "More than %(count)s letters to approve and sign", n
            )
            % {"count": n}
        ),
    )


def referrals_text(count: int) -> str:
    return _capped(
        count,
        lambda n: ngettext("%(count)s open referral", "%(count)s open referrals", n) % {"count": n},
        lambda n: ngettext("More than %(count)s open referral", "More than %(count)s open referrals", n) % {"count": n},
    )


def documents_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    """Received letters unread (and of those, immediate), letters to approve for heads, open referrals.
    Every count is capped (CARD_COUNT_CAP): a home page visit reads a bounded number of rows."""
    if not roles & {str(role) for role in STAFF_ROLES}:
        return []
    with serial_counts():
        return _documents_cards(user, entity, roles)


def _documents_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    query = f"?entity={entity.code}"
    unread = inbox(user, entity).filter(delivered_at__isnull=True)
    unread_count = capped_count(unread)
    # priority_rank is the copy's own (immediate 0): no join to the letter to pick them out.
    immediate = capped_count(unread.filter(priority_rank=PRIORITY_ORDER[Priority.IMMEDIATE])) if unread_count else 0
    cards = [
        Card(
            title=_("Official letters received"),
            url=reverse("documents:inbox") + query,
            count=unread_count,
            count_text=unread_text(unread_count),
            alert=immediate,
            alert_text=immediate_text(immediate) if immediate else "",
        )
    ]
    if roles & {str(role) for role in HEAD_ROLES}:
        to_approve = capped_count(Letter.objects.filter(sender_entity=entity, status=LetterStatus.SUBMITTED))
        cards.append(
            Card(
                title=_("Letters awaiting your approval"),
                url=reverse("documents:approvals") + query,
                count=to_approve,
                count_text=to_approve_text(to_approve),
            )
        )
    referred = capped_count(open_referrals(user).filter(recipient__entity=entity))
    cards.append(
        Card(
            title=_("Letters referred to me"),
            url=reverse("documents:referrals") + query,
            count=referred,
            count_text=referrals_text(referred),
        )
    )
    return cards


def approvals_header_link(user: Any) -> HeaderLink | None:
    """For heads, on every page: the letters awaiting their approval, one click away."""
    waiting = approvals_waiting(user)
    if waiting is None:
        return None
    return HeaderLink(
        label=_("Awaiting your approval"),
        url=reverse("documents:approvals"),
        count=waiting,
        count_text=ngettext("%(count)s letter", "%(count)s letters", waiting) % {"count": waiting},
    )


def letter_label(letter: Letter) -> str:
    """A letter in activity feeds, for those who may open it: its number, or its subject until it has one."""
    return letter.number or letter.subject


def letter_hidden_label(letter: Letter) -> str:
    """For those who may not open it (a confidential letter): its number, never its subject."""
    return letter.number or pgettext("audit target", "a letter not yet dispatched")
