"""Who sees which letters. Every documents view reads through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from documents.constants import RESTRICTED, LetterStatus, Priority
from documents.models import Letter, LetterRecipient, Referral
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.search import normalize_arabic

STAFF_ROLES = (Role.REGISTRY_CLERK, Role.ENTITY_HEAD, Role.AUDITOR)
HEAD_ROLES = (Role.ENTITY_HEAD,)


def letters_visible(user: Any) -> QuerySet[Letter]:
    """The sender's staff see its letters in every state; recipients' staff see dispatched ones.
    Confidential and above: only the heads of those entities and the letter's named readers."""
    staff_entities = entities_of(user, roles=STAFF_ROLES)
    head_entities = entities_of(user, roles=HEAD_ROLES)
    received_by = LetterRecipient.objects.filter(letter=OuterRef("pk"))
    dispatched = Q(status=LetterStatus.DISPATCHED)
    normal = Q(sender_entity__in=staff_entities) | (dispatched & Exists(received_by.filter(entity__in=staff_entities)))
    restricted = (
        Q(sender_entity__in=head_entities)
        | (dispatched & Exists(received_by.filter(entity__in=head_entities)))
        | Q(named_readers=user.pk if getattr(user, "is_authenticated", False) else None)
    )
    return (
        Letter.objects.filter(
            (~Q(classification__in=RESTRICTED) & normal) | (Q(classification__in=RESTRICTED) & restricted)
        )
        .distinct()
        .select_related("sender_entity")
    )


def priority_rank() -> Case:
    return Case(
        When(letter__priority=Priority.IMMEDIATE, then=Value(0)),
        When(letter__priority=Priority.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def inbox(user: Any, entity: Any) -> QuerySet[LetterRecipient]:
    """Letters dispatched to ``entity`` that this user may see: immediate and urgent first, newest first.

    The same rule as ``letters_visible``, stated for one receiving entity so that PostgreSQL starts
    from that entity's copies instead of checking every letter: its staff see normal letters;
    confidential and above only its heads and the letter's named readers.
    """
    if entity.pk not in set(entities_of(user, roles=STAFF_ROLES).values_list("pk", flat=True)):
        return LetterRecipient.objects.none()
    copies = LetterRecipient.objects.filter(entity=entity, letter__status=LetterStatus.DISPATCHED)
    if entity.pk not in set(entities_of(user, roles=HEAD_ROLES).values_list("pk", flat=True)):
        readable = Letter.objects.filter(named_readers=user.pk).values("pk")
        copies = copies.filter(~Q(letter__classification__in=RESTRICTED) | Q(letter__in=readable))
    return (
        copies.select_related("letter", "letter__sender_entity")
        .annotate(rank=priority_rank())
        .order_by("rank", "-letter__dispatched_at")
    )


def search_letters(queryset: QuerySet[Letter], text: str) -> QuerySet[Letter]:
    """By number, or by words of the subject and text with Arabic spelling variants matched."""
    text = text.strip()
    if not text:
        return queryset
    words = normalize_arabic(text).split()
    # One IN over a UNION of the three matches, each answered by its own index (UPPER(number),
    # UPPER(incoming_number), the trigram index on search_text): an OR across the recipients
    # join made PostgreSQL scan and join every letter.
    matches = Letter.objects.filter(number__iexact=text).values("pk")
    matches = matches.union(LetterRecipient.objects.filter(incoming_number__iexact=text).values("letter_id"))
    if words:
        words_match = Q()
        for word in words:
            words_match &= Q(search_text__contains=word)
        matches = matches.union(Letter.objects.filter(words_match).values("pk"))
    return queryset.filter(pk__in=matches).distinct()


WRITER_ROLES = (Role.REGISTRY_CLERK, Role.ENTITY_HEAD)
IN_PROGRESS = (LetterStatus.DRAFT, LetterStatus.SUBMITTED, LetterStatus.RETURNED, LetterStatus.APPROVED)


def drafts(user: Any, entity: Any, *, awaiting_approval_first: bool = False) -> QuerySet[Letter]:
    """The entity's letters not yet dispatched; for heads, those awaiting their approval come first."""
    letters = letters_visible(user).filter(sender_entity=entity, status__in=IN_PROGRESS)
    if awaiting_approval_first:
        first = Case(When(status=LetterStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField())
        return letters.annotate(first=first).order_by("first", "-created_at")
    return letters.order_by("-created_at")


def outgoing(user: Any, entity: Any) -> QuerySet[Letter]:
    """The outgoing register (سجل الصادر): the entity's dispatched letters, newest first."""
    return letters_visible(user).filter(sender_entity=entity, status=LetterStatus.DISPATCHED).order_by("-dispatched_at")


def open_referrals(user: Any) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(
            referred_to=user, closed_at__isnull=True, recipient__letter__in=letters_visible(user).values("pk")
        )
        .select_related("recipient__letter__sender_entity", "recipient__entity", "created_by")
        .order_by(F("due").asc(nulls_last=True), "created_at")
    )


def _replied(by: Q) -> Exists:
    return Exists(Letter.objects.filter(by, in_reply_to=OuterRef("pk"), status=LetterStatus.DISPATCHED))


def overdue_owed(user: Any, entity: Any, today: dt.date) -> QuerySet[Letter]:
    """Letters to ``entity`` whose reply date has passed and to which it has dispatched no reply."""
    received = LetterRecipient.objects.filter(letter=OuterRef("pk"), entity=entity)
    return (
        letters_visible(user)
        .filter(Exists(received), status=LetterStatus.DISPATCHED, reply_due__lt=today)
        .filter(~_replied(Q(sender_entity=entity)))
        .order_by("reply_due")
    )


def overdue_awaited(user: Any, entity: Any, today: dt.date) -> QuerySet[Letter]:
    """Letters of ``entity`` whose reply date has passed without any dispatched reply."""
    return outgoing(user, entity).filter(reply_due__lt=today).filter(~_replied(Q())).order_by("reply_due")
