from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govportal.accounts.constants import Role
from govportal.entities.models import Entity
from govportal.web.workspace import Card
from training.constants import NominationStatus
from training.models import Nomination, Session


def training_cards(user: Any, entity: Entity, roles: set[str]) -> list[Card]:
    cards = []
    if Role.TRAINING_ADMIN in roles:
        pending = Nomination.objects.filter(session__programme__owner=entity, status=NominationStatus.NOMINATED)
        cards.append(
            Card(
                title=_("Nominations to decide"),
                url=reverse("training:nominations"),
                count=pending.count(),
                count_label=_("awaiting a decision"),
            )
        )
        cards.append(Card(title=_("Training progress"), url=reverse("training:reports")))
    if Role.TRAINING_COORDINATOR in roles:
        waiting = Nomination.objects.filter(entity=entity, status=NominationStatus.NOMINATED).count()
        cards.append(
            Card(
                title=_("Training: nominate employees"),
                url=reverse("training:index"),
                count=waiting,
                count_text=ngettext(
                    "%(count)s nomination awaiting a decision", "%(count)s nominations awaiting a decision", waiting
                )
                % {"count": waiting},
            )
        )
    if Session.objects.upcoming().filter(trainer=user).exists():
        cards.append(Card(title=_("Sessions I train"), url=reverse("training:index")))
    return cards
