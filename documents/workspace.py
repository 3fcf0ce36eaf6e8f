from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from documents.constants import LetterStatus, Priority
from documents.models import Letter
from documents.selectors import HEAD_ROLES, STAFF_ROLES, approvals_waiting, inbox, open_referrals
from govportal.entities.models import Entity
from govportal.web.workspace import Card, HeaderLink


def documents_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    if not roles & {str(role) for role in STAFF_ROLES}:
        return []
    query = f"?entity={entity.code}"
    unread = inbox(user, entity).filter(delivered_at__isnull=True)
    cards = [
        Card(
            title=_("Official letters received"),
            url=reverse("documents:inbox") + query,
            count=unread.count(),
            count_label=_("unread"),
            alert=unread.filter(letter__priority=Priority.IMMEDIATE).count(),
            alert_label=_("immediate"),
        )
    ]
    if roles & {str(role) for role in HEAD_ROLES}:
        cards.append(
            Card(
                title=_("Letters awaiting your approval"),
                url=reverse("documents:approvals") + query,
                count=Letter.objects.filter(sender_entity=entity, status=LetterStatus.SUBMITTED).count(),
                count_label=_("to approve and sign"),
            )
        )
    cards.append(
        Card(
            title=_("Letters referred to me"),
            url=reverse("documents:referrals") + query,
            count=open_referrals(user).filter(recipient__entity=entity).count(),
            count_label=_("open"),
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
