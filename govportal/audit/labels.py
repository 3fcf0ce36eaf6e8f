"""What audit events say to people: a name for each action (timelines), a sentence for each
action (activity feeds), and, per kind of target, how the reader sees that target now: its name
in their language and a link when they may open it.

Apps register theirs in ``apps.ready()`` (``register``, ``register_sentences``, ``register_target``),
so the core names every app's events without importing any of them. A test fails for an action
with a name but no sentence.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from govportal.audit.models import AuditEvent

_LABELS: dict[str, Promise] = {
    "user_login": _("Signed in"),
    "user_logout": _("Signed out"),
    "user_login_fail": _("Failed sign-in"),
    "mfa_add": _("Two-factor authentication added"),
    "mfa_remove": _("Two-factor authentication removed"),
    "mfa_reset": _("Recovery codes regenerated"),
    "mfa_fail": _("Wrong two-factor code"),
    "membership_grant": _("Role granted"),
    "membership_revoke": _("Role revoked"),
    "citizen_register": _("Citizen registered"),
    "national_identity_link": _("National identity linked"),
    "national_identity_link_fail": _("Wrong password when linking a national identity"),
    "national_signin_refuse": _("National sign-in refused"),
    "entity_create": _("Entity created"),
    "entity_move": _("Entity moved in the hierarchy"),
    "entity_link": _("Linked to electronic exchange"),
    "entity_unlink": _("Returned to paper exchange"),
    "phase_open": _("Linkage phase opened"),
    "entity_change": _("Entity details changed"),
    "user_create": _("Account created by an administrator"),
    "user_change": _("Account changed by an administrator"),
    "user_permissions_change": _("Administrator permissions changed"),
    "key_create": _("Signing key created"),
    "key_rotate": _("Signing key rotated"),
    "key_revoke": _("Signing key revoked"),
    "artifact_issue": _("Verifiable document issued"),
    "artifact_revoke": _("Verifiable document revoked"),
    "artifact_note": _("Change noted on a verifiable document"),
    "artifact_supersede": _("Verifiable document replaced"),
}

# A sentence per action for activity feeds: who did it is shown beside it, so the sentence says
# what happened; "%(target)s" stands for the event's target (linked when the reader may open it).
_SENTENCES: dict[str, Promise] = {
    "user_login": _("Signed in to the portal"),
    "user_logout": _("Signed out of the portal"),
    "user_login_fail": _("A sign-in attempt failed"),
    "mfa_add": _("Two-factor authentication was set up"),
    "mfa_remove": _("Two-factor authentication was removed from the account of %(target)s"),
    "mfa_reset": _("Recovery codes were generated again"),
    "mfa_fail": _("A wrong two-factor code was entered"),
    "membership_grant": _("Role granted: %(target)s"),
    "membership_revoke": _("Role withdrawn: %(target)s"),
    "citizen_register": _("A citizen created an account"),
    "national_identity_link": _("A national identity was linked to the account of %(target)s"),
    "national_identity_link_fail": _("A wrong password was entered to link a national identity to %(target)s"),
    "national_signin_refuse": _("A national sign-in was refused"),
    "entity_create": _("Entity %(target)s was created"),
    "entity_move": _("Entity %(target)s was moved in the hierarchy"),
    "entity_link": _("Entity %(target)s was linked to electronic exchange"),
    "entity_unlink": _("Entity %(target)s returned to paper exchange"),
    "phase_open": _("Linkage phase opened: %(target)s"),
    "entity_change": _("The details of entity %(target)s were changed"),
    "user_create": _("An administrator created the account of %(target)s"),
    "user_change": _("An administrator changed the account of %(target)s"),
    "user_permissions_change": _("An administrator changed the permissions of %(target)s"),
    "key_create": _("Signing key %(target)s was created"),
    "key_rotate": _("Signing key %(target)s was rotated"),
    "key_revoke": _("Signing key %(target)s was revoked"),
    "artifact_issue": _("Verifiable document %(target)s was issued"),
    "artifact_revoke": _("Verifiable document %(target)s was revoked"),
    "artifact_note": _("A change was noted on verifiable document %(target)s"),
    "artifact_supersede": _("Verifiable document %(target)s was replaced by a new one"),
}


def register(labels: dict[str, Promise]) -> None:
    _LABELS.update(labels)


def register_sentences(sentences: dict[str, Promise]) -> None:
    _SENTENCES.update(sentences)


def action_label(action: str) -> str:
    return str(_LABELS.get(action, action))


def known_actions() -> list[tuple[str, str]]:
    """Every action with a name, as (action, its name in the active language), by name."""
    return sorted(((action, str(label)) for action, label in _LABELS.items()), key=lambda pair: pair[1])


def actions_without_sentence() -> list[str]:
    """Actions with a name but no sentence, and sentences of actions without a name: none, or a test fails."""
    return sorted(set(_LABELS).symmetric_difference(_SENTENCES))


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An event's target as one reader sees it: its name in their language, a link if they may open it."""

    label: str
    url: str = ""


# (reader, the events of one target type) → what the reader sees of each event's target, by event id.
TargetResolver = Callable[[Any, list["AuditEvent"]], dict[int, Target]]
_TARGETS: dict[str, TargetResolver] = {}


def register_target(target_type: str, resolver: TargetResolver) -> None:
    """``target_type`` is the model's ``app_label.modelname``, as ``AuditEvent.target_type`` holds it."""
    _TARGETS[target_type] = resolver


def model_targets[M: Model](
    model: type[M],
    *,
    visible: Callable[[Any], QuerySet[M]] | None = None,
    url: Callable[[M], str] | None = None,
    label: Callable[[M], str] = str,
    hidden_label: Callable[[M], str] | None = None,
    related: tuple[str, ...] = (),
) -> TargetResolver:
    """The usual resolver: the objects as they are now, named by ``label``; linked by ``url`` when
    ``visible(reader)`` holds them; named by ``hidden_label`` (when given) when it does not. A target
    that no longer exists keeps the name recorded with its event. Two queries for a page of events
    (``related``: what ``label`` reads, selected with the objects)."""

    def resolve(reader: Any, events: list[AuditEvent]) -> dict[int, Target]:
        ids = {event.target_id for event in events}
        found = model._default_manager.filter(pk__in=ids)
        objects = {str(obj.pk): obj for obj in (found.select_related(*related) if related else found)}
        allowed: set[str] = set()
        if visible is not None and url is not None:
            allowed = {str(pk) for pk in visible(reader).filter(pk__in=ids).values_list("pk", flat=True)}
        targets = {}
        for event in events:
            obj = objects.get(event.target_id)
            if obj is None:
                continue
            if event.target_id in allowed and url is not None:
                targets[event.id] = Target(label(obj), url(obj))
            else:
                targets[event.id] = Target(hidden_label(obj) if hidden_label else label(obj))
        return targets

    return resolve


# --- people --------------------------------------------------------------------------------------


def person_name(user: Any) -> str:
    """A person as pages name them: their full name, never their e-mail address."""
    if user is None:
        return pgettext("audit actor", "The portal (automatic)")
    return user.full_name or pgettext("person", "User without a name on record")


def _roles(events: list[AuditEvent]) -> dict[tuple[int, int], list[str]]:
    """The roles each actor held in each event's entity, by (user id, entity id): one query."""
    from govportal.accounts.models import Membership

    pairs = {(e.actor_id, e.entity_id) for e in events if e.actor_id and e.entity_id}
    if not pairs:
        return {}
    roles: dict[tuple[int, int], list[str]] = defaultdict(list)
    memberships = Membership.objects.filter(
        user_id__in={user for user, _entity in pairs}, entity_id__in={entity for _user, entity in pairs}
    ).order_by("role")
    for membership in memberships:
        roles[(membership.user_id, membership.entity_id)].append(str(membership.get_role_display()))
    return roles


# --- the feed ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One event as a reader reads it."""

    event: AuditEvent
    label: str  # the action's name ("Dispatched")
    sentence: SafeString  # what happened, its target linked when the reader may open it
    actor: SafeString  # who: full name, with their role (and entity) where they hold one
    at: dt.datetime  # Baghdad time, to the second


def _targets(reader: Any, events: list[AuditEvent]) -> dict[int, Target]:
    by_type: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.target_id and event.target_type in _TARGETS:
            by_type[event.target_type].append(event)
    targets: dict[int, Target] = {}
    for target_type, of_type in by_type.items():
        targets.update(_TARGETS[target_type](reader, of_type))
    return targets


def _sentence(event: AuditEvent, target: Target | None) -> SafeString:
    text = _SENTENCES.get(event.action) or _LABELS.get(event.action)
    template = conditional_escape(str(text) if text else gettext("Something was recorded"))
    label = target.label if target else event.target_label
    if target and target.url:
        shown = format_html('<a href="{}"><bdi>{}</bdi></a>', target.url, label)
    else:
        shown = format_html("<bdi>{}</bdi>", label)
    return mark_safe(template % {"target": shown})  # noqa: S308 — both parts escaped above


def _actor(event: AuditEvent, roles: dict[tuple[int, int], list[str]], with_entity: bool) -> SafeString:
    """Who did it: their name, and their role (and entity) where they hold one, each name isolated
    (an Arabic name on an English page, an English one on an Arabic page)."""
    name = format_html("<bdi>{}</bdi>", person_name(event.actor))
    held = roles.get((event.actor_id or 0, event.entity_id or 0), [])
    if not held:
        return name
    parts = {"name": name, "role": conditional_escape(pgettext("list separator", ", ").join(held))}
    if with_entity and event.entity is not None:
        parts["entity"] = format_html("<bdi>{}</bdi>", event.entity.name)
        pattern = pgettext("person with role", "%(name)s (%(role)s, %(entity)s)")
    else:
        pattern = pgettext("person with role", "%(name)s (%(role)s)")
    return mark_safe(conditional_escape(pattern) % parts)  # noqa: S308 — every part escaped above


def feed(events: Iterable[AuditEvent], reader: Any, *, with_entity: bool = False) -> list[FeedItem]:
    """Events as the reader reads them, in their language: a sentence with the target linked only
    where the reader may open it, who did it by name and role, and when, in Baghdad time.

    ``events`` should come with ``actor`` and ``entity`` selected; a page of events costs one query
    for the actors' roles and at most two per kind of target.
    """
    events = list(events)
    targets = _targets(reader, events)
    roles = _roles(events)
    return [
        FeedItem(
            event=event,
            label=action_label(event.action) if event.action in _LABELS else gettext("Something was recorded"),
            sentence=_sentence(event, targets.get(event.id)),
            actor=_actor(event, roles, with_entity),
            at=timezone.localtime(event.at).replace(microsecond=0),
        )
        for event in events
    ]
