"""Who sees which letters. Every documents view reads through these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from documents.constants import RESTRICTED, LetterStatus
from documents.models import Letter, LetterRecipient, Referral, RegisterExport
from govportal.accounts.constants import Role
from govportal.accounts.models import Membership
from govportal.accounts.selectors import entities_of, memberships_of
from govportal.audit.models import AuditEvent
from govportal.search import normalize_arabic

STAFF_ROLES = (Role.REGISTRY_CLERK, Role.ENTITY_HEAD, Role.AUDITOR)
HEAD_ROLES = (Role.ENTITY_HEAD,)


def _entity_ids(user: Any) -> tuple[list[int], list[int]]:
    """The ids of the entities where ``user`` is staff, and of those where they are head: read once,
    so that the rules below compare with a short list instead of repeating a membership subquery
    (which Django builds and PostgreSQL plans again at each place it appears)."""
    staff: list[int] = []
    heads: list[int] = []
    for entity_id, role in memberships_of(user).order_by().values_list("entity_id", "role"):
        if role in STAFF_ROLES:
            staff.append(entity_id)
        if role in HEAD_ROLES:
            heads.append(entity_id)
    return staff, heads


def letters_visible(user: Any) -> QuerySet[Letter]:
    """The sender's staff see its letters in every state; recipients' staff see dispatched ones.
    Confidential and above: only the heads of those entities and the letter's named readers."""
    staff_entities, head_entities = _entity_ids(user)
    received_by = LetterRecipient.objects.filter(letter=OuterRef("pk"))
    dispatched = Q(status=LetterStatus.DISPATCHED)
    normal = Q(sender_entity__in=staff_entities) | (dispatched & Exists(received_by.filter(entity__in=staff_entities)))
    # Named readers by EXISTS, not a join: a join lifts the whole rule above it, where PostgreSQL
    # hashes every copy the entity ever received before it looks at a single letter.
    reader = user.pk if getattr(user, "is_authenticated", False) else None
    named = Letter.named_readers.through.objects.filter(letter=OuterRef("pk"), user=reader)
    restricted: Q = Q(sender_entity__in=head_entities) | Q(Exists(named))
    if head_entities:
        restricted |= dispatched & Q(Exists(received_by.filter(entity__in=head_entities)))
    return (
        Letter.objects.filter(
            (~Q(classification__in=RESTRICTED) & normal) | (Q(classification__in=RESTRICTED) & restricted)
        )
        .distinct()
        .select_related("sender_entity")
    )


# The inbox's order, which recipient_inbox_idx holds: immediate, urgent, normal; newest first; the copy's
# id breaks ties (paper letters registered for the same day share their time), so the order is total.
INBOX_ORDER = ("priority_rank", "-dispatched_at", "-id")


def inbox(user: Any, entity: Any) -> QuerySet[LetterRecipient]:
    """Letters dispatched to ``entity`` that this user may see: immediate and urgent first, newest first.

    The same rule as ``letters_visible``, stated for one receiving entity so that PostgreSQL starts
    from that entity's copies instead of checking every letter: its staff see normal letters;
    confidential and above only its heads and the letter's named readers. A copy is in the inbox once
    its letter is dispatched, i.e. once the copy has the sort key the services copy onto it then.
    """
    staff, heads = _entity_ids(user)
    if entity.pk not in staff:
        return LetterRecipient.objects.none()
    copies = LetterRecipient.objects.filter(entity=entity, dispatched_at__isnull=False)
    if entity.pk not in heads:
        readable = Letter.objects.filter(named_readers=user.pk).values("pk")
        copies = copies.filter(~Q(letter__classification__in=RESTRICTED) | Q(letter__in=readable))
    return copies.select_related("letter", "letter__sender_entity").order_by(*INBOX_ORDER)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class InboxCursor:
    """A place in the inbox: the sort key of the copy a page ends with (keyset paging)."""

    rank: int
    dispatched_at: dt.datetime
    id: int

    @classmethod
    def of(cls, copy: LetterRecipient) -> InboxCursor:
        assert copy.priority_rank is not None and copy.dispatched_at is not None  # noqa: S101 — in the inbox
        return cls(copy.priority_rank, copy.dispatched_at, copy.pk)

    @property
    def token(self) -> str:
        """For the query string: ``rank.microseconds since 1970.id``, to be handed back, not read."""
        return f"{self.rank}.{(self.dispatched_at - EPOCH) // MICROSECOND}.{self.id}"

    @classmethod
    def parse(cls, token: str) -> InboxCursor | None:
        """The cursor a token stands for; None for anything else (the inbox then starts from the top)."""
        try:
            rank, micros, pk = (int(part) for part in token.split("."))
            at = EPOCH + micros * MICROSECOND
        except (ValueError, OverflowError):
            return None
        return cls(rank, at, pk) if rank >= 0 and pk > 0 else None


class KeysetPage:
    """What the pagination links of a page read by keyset: whether it is the first, and the token of
    the next (``after`` and ``next`` are the subclass's cursors)."""

    after: Any
    next: Any

    @property
    def is_first(self) -> bool:
        return self.after is None

    @property
    def next_token(self) -> str | None:
        return self.next.token if self.next else None


@dataclass(frozen=True)
class InboxPage(KeysetPage):
    copies: list[LetterRecipient]
    after: InboxCursor | None  # where this page starts: None for the top of the inbox
    next: InboxCursor | None  # where the next page starts: None on the last page


def inbox_page(user: Any, entity: Any, *, after: InboxCursor | None, size: int) -> InboxPage:
    """The ``size`` copies of ``inbox`` that follow ``after`` (from the top when None).

    Keyset paging instead of OFFSET, and no COUNT: a page deep in the inbox costs what the first one
    does, at most two range scans of recipient_inbox_idx (the rest of ``after``'s priority rank, then
    the ranks after it), whatever number of letters comes before it.
    """
    copies = inbox(user, entity)
    if after is None:
        rows = list(copies[: size + 1])
    else:
        rest_of_rank = copies.filter(
            Q(dispatched_at__lt=after.dispatched_at) | Q(dispatched_at=after.dispatched_at, id__lt=after.id),
            priority_rank=after.rank,
            dispatched_at__lte=after.dispatched_at,  # where the index scan starts (the Q only drops ties)
        )
        rows = list(rest_of_rank[: size + 1])
        if len(rows) <= size:
            rows += copies.filter(priority_rank__gt=after.rank)[: size + 1 - len(rows)]
    has_next = len(rows) > size
    return InboxPage(rows[:size], after, InboxCursor.of(rows[size - 1]) if has_next else None)


@dataclass(frozen=True)
class RegisterCursor:
    """A place in a register: the dispatch time and id of the row a page ends with (keyset paging).
    The id is a copy's number in the incoming register, a letter's UUID in the outgoing one."""

    dispatched_at: dt.datetime
    id: Any

    @classmethod
    def of(cls, row: Letter | LetterRecipient) -> RegisterCursor:
        assert row.dispatched_at is not None  # noqa: S101 — in a register
        return cls(row.dispatched_at, row.pk)

    @property
    def token(self) -> str:
        """For the query string: ``microseconds since 1970.id``, to be handed back, not read."""
        return f"{(self.dispatched_at - EPOCH) // MICROSECOND}.{self.id}"

    @classmethod
    def parse(cls, token: str, id_type: Callable[[str], Any]) -> RegisterCursor | None:
        """The cursor a token stands for (``id_type`` reads its id: ``int`` or ``uuid.UUID``); None
        for anything else (the register then starts from the top)."""
        try:
            micros, pk = token.split(".", 1)
            return cls(EPOCH + int(micros) * MICROSECOND, id_type(pk))
        except (ValueError, OverflowError, AttributeError):
            return None


@dataclass(frozen=True)
class RegisterPage(KeysetPage):
    object_list: list[Any]
    after: RegisterCursor | None  # where this page starts: None for the top of the register
    next: RegisterCursor | None  # where the next page starts: None on the last page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def register_page(rows: QuerySet[Any], *, after: RegisterCursor | None, size: int) -> RegisterPage:
    """The ``size`` rows of a register (``outgoing``, ``register_incoming``…, in REGISTER_ORDER) that
    follow ``after`` (from the top when None).

    Keyset paging and no COUNT, as in the inbox: one range scan of the register's index from the
    cursor, stopping after ``size + 1`` rows (the last one only tells that a next page exists).
    """
    if after is not None:
        rows = rows.filter(
            Q(dispatched_at__lt=after.dispatched_at) | Q(dispatched_at=after.dispatched_at, id__lt=after.id),
            dispatched_at__lte=after.dispatched_at,  # where the index scan starts (the Q only drops ties)
        )
    got = list(rows[: size + 1])
    has_next = len(got) > size
    return RegisterPage(got[:size], after, RegisterCursor.of(got[size - 1]) if has_next else None)


def letters_matching(text: str) -> QuerySet[Any] | None:
    """The ids of the letters ``text`` finds, by number or by words of the subject and text with
    Arabic spelling variants matched (a subquery); None for an empty search (everything matches)."""
    text = text.strip()
    if not text:
        return None
    words = normalize_arabic(text).split()
    # One UNION of the three matches, each answered by its own index (UPPER(number),
    # UPPER(incoming_number), the trigram index on search_text): an OR across the recipients
    # join made PostgreSQL scan and join every letter.
    by_number = Letter.objects.filter(number__iexact=text).order_by().values("pk")
    branches: list[QuerySet[Any]] = [
        LetterRecipient.objects.filter(incoming_number__iexact=text).order_by().values("letter_id")
    ]
    if words:
        words_match = Q()
        for word in words:
            words_match &= Q(search_text__contains=word)
        branches.append(Letter.objects.filter(words_match).order_by().values("pk"))
    return by_number.union(*branches).order_by()


def search_letters(queryset: QuerySet[Letter], text: str) -> QuerySet[Letter]:
    """``queryset`` narrowed to the letters ``text`` finds (see ``letters_matching``)."""
    matches = letters_matching(text)
    return queryset if matches is None else queryset.filter(pk__in=matches)


WRITER_ROLES = (Role.REGISTRY_CLERK, Role.ENTITY_HEAD)
IN_PROGRESS = (LetterStatus.DRAFT, LetterStatus.SUBMITTED, LetterStatus.RETURNED, LetterStatus.APPROVED)


def drafts(user: Any, entity: Any, *, awaiting_approval_first: bool = False) -> QuerySet[Letter]:
    """The entity's letters not yet dispatched; for heads, those awaiting their approval come first."""
    letters = letters_visible(user).filter(sender_entity=entity, status__in=IN_PROGRESS)
    if awaiting_approval_first:
        first = Case(When(status=LetterStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField())
        return letters.annotate(first=first).order_by("first", "-created_at")
    return letters.order_by("-created_at")


# The registers' order, which letter_register_idx (sender_entity, -dispatched_at, -id) and
# recipient_register_idx (entity, -dispatched_at, -id) hold: newest first, the id breaking ties.
REGISTER_ORDER = ("-dispatched_at", "-id")


def outgoing(user: Any, entity: Any) -> QuerySet[Letter]:
    """The outgoing register (سجل الصادر): the entity's dispatched letters this user may see, newest first.

    The rule of ``letters_visible`` stated for one sending entity, as ``inbox`` states it for a
    receiving one, so that PostgreSQL reads the entity's letters in order from letter_register_idx
    and stops after a page (no DISTINCT over every letter the user may see): its staff see normal
    letters; confidential and above its heads, the letter's named readers, and the heads of an
    entity the letter was sent to. Nobody else reads an entity's outgoing register.
    """
    staff, heads = _entity_ids(user)
    if entity.pk not in staff:
        return Letter.objects.none()
    letters = Letter.objects.filter(sender_entity=entity, status=LetterStatus.DISPATCHED, dispatched_at__isnull=False)
    if entity.pk not in heads:
        named = Letter.named_readers.through.objects.filter(user=user.pk).values("letter_id")
        readable = Q(pk__in=named)
        if heads:  # the head of a receiving entity reads what reached it
            readable |= Q(Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), entity__in=heads)))
        letters = letters.filter(~Q(classification__in=RESTRICTED) | readable)
    return letters.select_related("sender_entity").order_by(*REGISTER_ORDER)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the current time zone: a date filter as a range of the indexed
    column (``dispatched_at__date`` would compute a date for every row instead)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _dates(rows: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    if filters.get("date_from"):
        rows = rows.filter(dispatched_at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        rows = rows.filter(dispatched_at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    return rows


def register_outgoing(user: Any, entity: Any, filters: dict[str, Any]) -> QuerySet[Letter]:
    """The outgoing register as the register page filters it (dates, counterpart, classification,
    state of delivery, words); ``filters`` holds the filter form's cleaned values, absent when unset."""
    letters = _dates(outgoing(user, entity), filters)
    copies = LetterRecipient.objects.filter(letter=OuterRef("pk"))
    if filters.get("counterpart"):
        letters = letters.filter(Exists(copies.filter(entity=filters["counterpart"])))
    if filters.get("classification"):
        letters = letters.filter(classification=filters["classification"])
    status = filters.get("status")
    if status == "undelivered":
        letters = letters.filter(Exists(copies.filter(delivered_at__isnull=True)))
    elif status == "unregistered":
        letters = letters.filter(Exists(copies.filter(registered_at__isnull=True)))
    elif status == "registered":
        letters = letters.exclude(Exists(copies.filter(registered_at__isnull=True)))
    return search_letters(letters, filters.get("q", ""))


def register_incoming(user: Any, entity: Any, filters: dict[str, Any]) -> QuerySet[LetterRecipient]:
    """The incoming register (the inbox's copies, newest first) as the register page filters it."""
    copies = _dates(inbox(user, entity).select_related("registered_by").order_by(*REGISTER_ORDER), filters)
    if filters.get("counterpart"):
        copies = copies.filter(letter__sender_entity=filters["counterpart"])
    if filters.get("classification"):
        copies = copies.filter(letter__classification=filters["classification"])
    status = filters.get("status")
    if status == "unread":
        copies = copies.filter(delivered_at__isnull=True)
    elif status == "unregistered":
        copies = copies.filter(registered_at__isnull=True)
    elif status == "registered":
        copies = copies.filter(registered_at__isnull=False)
    matches = letters_matching(filters.get("q", ""))
    if matches is not None:
        copies = copies.filter(letter__in=matches)
    return copies


def register_exports(user: Any) -> QuerySet[RegisterExport]:
    """Printed registers a person may fetch: their own, of an entity where they are still staff."""
    return RegisterExport.objects.filter(
        requested_by=user.pk, entity__in=entities_of(user, roles=STAFF_ROLES)
    ).select_related("entity")


def open_referrals(user: Any) -> QuerySet[Referral]:
    """Open referrals to this person of letters they may still see. Visibility is asked of each
    referral's letter (EXISTS by its primary key), not as an IN over every letter the person may see:
    a person's open referrals are few, the letters they may see are many."""
    visible = letters_visible(user).filter(pk=OuterRef("recipient__letter_id"))
    return (
        Referral.objects.filter(Exists(visible), referred_to=user, closed_at__isnull=True)
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


def awaiting_my_approval(user: Any) -> QuerySet[Letter]:
    """Letters submitted for approval in the entities this person heads, the longest waiting first."""
    return (
        Letter.objects.filter(status=LetterStatus.SUBMITTED, sender_entity__in=entities_of(user, roles=HEAD_ROLES))
        .select_related("sender_entity", "created_by")
        .order_by("submitted_at", "pk")
    )


def approvals_waiting(user: Any) -> int | None:
    """How many letters await this person's approval, for the link in every page's header; None for
    someone who heads no entity. One query: their head memberships, each with a count that the
    (sender_entity, status) index answers."""
    if not getattr(user, "is_authenticated", False):
        return None
    waiting = (
        Letter.objects.filter(sender_entity=OuterRef("entity_id"), status=LetterStatus.SUBMITTED)
        .order_by()
        .values("sender_entity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = list(
        Membership.objects.filter(user=user, role__in=HEAD_ROLES)
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
        .values_list("waiting", flat=True)
    )
    return sum(counts) if counts else None


def letter_history(user: Any, letter: Letter) -> QuerySet[AuditEvent]:
    """The letter's events this person may read: every step for the sender's staff; for a recipient's
    staff, the dispatch and what their own entities did with it."""
    events = AuditEvent.objects.for_target(letter).select_related("actor", "entity").order_by("id")
    mine = entities_of(user, roles=STAFF_ROLES)
    if mine.filter(pk=letter.sender_entity_id).exists():
        return events
    return events.filter(Q(action="letter_dispatch") | Q(entity__in=mine))
