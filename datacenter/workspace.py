from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from datacenter.models import AuthenticityRequest
from datacenter.selectors import ISSUER_ROLES, REQUESTER_ROLES
from govportal.entities.models import Entity
from govportal.web.workspace import Card


def datacenter_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    cards = []
    if roles & {str(role) for role in ISSUER_ROLES}:
        incoming = AuthenticityRequest.objects.filter(issuing_entity=entity)
        cards.append(
            Card(
                title=_("Requests to confirm our documents"),
                url=reverse("datacenter:queue"),
                count=incoming.open().count(),
                count_label=_("open"),
                alert=incoming.overdue().count(),
                alert_label=_("overdue"),
            )
        )
    if roles & {str(role) for role in REQUESTER_ROLES}:
        sent = AuthenticityRequest.objects.filter(requesting_entity=entity)
        cards.append(
            Card(
                title=_("Our requests to other entities"),
                url=reverse("datacenter:requests"),
                count=sent.open().count(),
                count_label=_("awaiting an answer"),
            )
        )
    return cards
