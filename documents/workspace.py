from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from documents.constants import LetterStatus, Priority
from documents.models import Letter
from documents.selectors import HEAD_ROLES, STAFF_ROLES, inbox, open_referrals
from govportal.entities.models import Entity
from govportal.web.workspace import Card


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
                url=reverse("documents:drafts") + query,
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
