"""Official letters: drafting, approval, dispatch with gapless numbers, delivery, registration, referral."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from documents.constants import (
    INCOMING_REGISTER,
    MAX_ATTACHMENT_BYTES,
    OUTGOING_REGISTER,
    PRIORITY_ORDER,
    DeliveryMode,
    LetterStatus,
    Priority,
    RecipientKind,
)
from documents.models import Attachment, Letter, LetterRecipient, Referral
from documents.selectors import HEAD_ROLES, STAFF_ROLES, letters_visible
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf.services import pdf_queue
from govportal.search import normalize_arabic
from govportal.uploads import DOCX, JPEG, OLE, PDF, PNG, PPTX, TIFF, XLSX, check_upload
from govportal.verification.constants import ArtifactKind
from govportal.verification.services import Signer, canonical_bytes, verify_url


@dataclass(frozen=True)
class LetterContent:
    subject: str
    body: str
    classification: str
    priority: str
    reply_due: dt.date | None
    to: list[Entity]
    cc: list[Entity]
    readers: list[User] = field(default_factory=list)


def _require(user: User, entity: Entity, roles: Iterable[Role]) -> None:
    if not roles_in(user, entity) & {str(role) for role in roles}:
        raise PermissionDenied


def _members(entity: Entity, roles: Iterable[Role]) -> list[User]:
    return list(
        User.objects.filter(memberships__entity=entity, memberships__role__in=list(roles), is_active=True).distinct()
    )


def _locked(letter: Letter, *allowed: str) -> Letter:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status not in allowed:
        raise ValidationError(
            _("This letter is %(status)s; that cannot be done now.") % {"status": letter.get_status_display()},
            code="wrong_state",
        )
    return letter


def _set_content(letter: Letter, content: LetterContent) -> None:
    if not content.to:
        raise ValidationError({"to": _("Choose at least one entity to send the letter to.")})
    recipients = [*content.to, *content.cc]
    if letter.sender_entity in recipients:
        raise ValidationError({"to": _("A letter cannot be addressed to its own entity.")})
    if len({entity.pk for entity in recipients}) != len(recipients):
        raise ValidationError({"cc": _("An entity appears more than once among the recipients.")})
    letter.subject, letter.body = content.subject.strip(), content.body.strip()
    letter.search_text = normalize_arabic(f"{letter.subject} {letter.body}")
    letter.classification, letter.priority, letter.reply_due = (
        content.classification,
        content.priority,
        content.reply_due,
    )
    strangers = [user for user in content.readers if not roles_in(user, letter.sender_entity)]
    if strangers:
        raise ValidationError({"readers": _("Named readers must be staff of the sending entity.")})
    letter.save()
    letter.named_readers.set(content.readers)
    letter.recipients.all().delete()
    LetterRecipient.objects.bulk_create(
        [LetterRecipient(letter=letter, entity=e, kind=RecipientKind.TO) for e in content.to]
        + [LetterRecipient(letter=letter, entity=e, kind=RecipientKind.CC) for e in content.cc]
    )


@transaction.atomic
def letter_draft(*, sender: Entity, content: LetterContent, actor: User, in_reply_to: Letter | None = None) -> Letter:
    _require(actor, sender, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    letter = Letter(sender_entity=sender, created_by=actor, in_reply_to=in_reply_to)
    _set_content(letter, content)
    audit_record(action="letter_draft", actor=actor, entity=sender, target=letter)
    return letter


@transaction.atomic
def letter_edit(*, letter: Letter, content: LetterContent, actor: User) -> Letter:
    _require(actor, letter.sender_entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    letter = _locked(letter, LetterStatus.DRAFT, LetterStatus.RETURNED)
    _set_content(letter, content)
    audit_record(action="letter_edit", actor=actor, entity=letter.sender_entity, target=letter)
    return letter


ATTACHMENT_TYPES = (PDF, JPEG, PNG, TIFF, DOCX, XLSX, PPTX, OLE)


def _store_attachment(letter: Letter, upload: UploadedFile, actor: User) -> Attachment:
    """Check the file by content (≤ 20 MB), record its SHA-256 and store it privately."""
    checked = check_upload(
        upload,
        allowed=ATTACHMENT_TYPES,
        max_bytes=MAX_ATTACHMENT_BYTES,
        allowed_label=_("Attach a PDF, an image (JPEG, PNG, TIFF) or an office document (Word, Excel, PowerPoint)."),
    )
    attachment = Attachment(
        letter=letter,
        name=(upload.name or "attachment")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        added_by=actor,
    )
    attachment.file.save(f"{attachment.pk}.{checked.extension}", upload, save=False)
    attachment.save(force_insert=True)
    return attachment


@transaction.atomic
def attachment_add(*, letter: Letter, upload: UploadedFile, actor: User) -> Attachment:
    """Attach a PDF, image or office document (checked by content, ≤ 20 MB) to a letter being drafted."""
    _require(actor, letter.sender_entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    letter = _locked(letter, LetterStatus.DRAFT, LetterStatus.RETURNED)
    attachment = _store_attachment(letter, upload, actor)
    audit_record(
        action="attachment_add",
        actor=actor,
        entity=letter.sender_entity,
        target=letter,
        data={"sha256": attachment.sha256},
    )
    return attachment


@transaction.atomic
def letter_submit(*, letter: Letter, actor: User) -> Letter:
    """Send the draft to the entity's head for approval."""
    _require(actor, letter.sender_entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    letter = _locked(letter, LetterStatus.DRAFT, LetterStatus.RETURNED)
    letter.status, letter.submitted_at = LetterStatus.SUBMITTED, timezone.now()
    letter.save(update_fields=["status", "submitted_at"])
    audit_record(action="letter_submit", actor=actor, entity=letter.sender_entity, target=letter)
    notify(
        users=_members(letter.sender_entity, HEAD_ROLES),
        message=gettext_noop("A letter awaits your approval: %(subject)s"),
        params={"subject": letter.subject[:100]},
        url=reverse("documents:letter", args=[letter.pk]),
    )
    return letter


@transaction.atomic
def letter_return(*, letter: Letter, comment: str, actor: User) -> Letter:
    _require(actor, letter.sender_entity, HEAD_ROLES)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must change.")})
    letter = _locked(letter, LetterStatus.SUBMITTED)
    letter.status, letter.return_comment = LetterStatus.RETURNED, comment.strip()
    letter.save(update_fields=["status", "return_comment"])
    audit_record(
        action="letter_return", actor=actor, entity=letter.sender_entity, target=letter, data={"comment": comment}
    )
    notify(
        users=[letter.created_by],
        message=gettext_noop("Your letter was returned for changes: %(subject)s"),
        params={"subject": letter.subject[:100]},
        url=reverse("documents:letter", args=[letter.pk]),
    )
    return letter


@transaction.atomic
def letter_approve(*, letter: Letter, actor: User) -> Letter:
    """The head approves and signs."""
    _require(actor, letter.sender_entity, HEAD_ROLES)
    letter = _locked(letter, LetterStatus.SUBMITTED)
    letter.status, letter.signer, letter.approved_at = LetterStatus.APPROVED, actor, timezone.now()
    letter.save(update_fields=["status", "signer", "approved_at"])
    audit_record(action="letter_approve", actor=actor, entity=letter.sender_entity, target=letter)
    return letter


def letter_content_bytes(letter: Letter) -> bytes:
    """The canonical bytes a letter's signature covers."""
    facts = {
        "number": letter.number,
        "sender": letter.sender_entity.code,
        "subject": letter.subject,
        "body": letter.body,
        "date": letter.dispatched_at.isoformat() if letter.dispatched_at else None,
        "to": sorted(r.entity.code for r in letter.recipients.all()),
        "attachments": sorted(a.sha256 for a in letter.attachments.all()),
    }
    return canonical_bytes(facts)


def letter_pdf_context(letter: Letter) -> dict[str, Any]:
    """The printed letter: letterhead, addressees, text, and the QR of its signature."""
    assert letter.artifact is not None  # noqa: S101 — only dispatched letters are printed
    recipients = list(letter.recipients.select_related("entity"))
    return {
        "letter": letter,
        "entity": letter.sender_entity,
        "to": [r for r in recipients if r.kind == RecipientKind.TO],
        "cc": [r for r in recipients if r.kind == RecipientKind.CC],
        "verify_url": verify_url(letter.artifact),
        "serial": letter.number,
        "issued_at": letter.dispatched_at,
        "site_url": settings.SITE_URL,
    }


def delivery_mode(sender: Entity, recipient: Entity) -> DeliveryMode:
    """How a letter reaches a recipient: electronically when both are linked, otherwise on paper."""
    return DeliveryMode.ELECTRONIC if sender.can_exchange_with(recipient) else DeliveryMode.PAPER


def _reach_inbox(recipient: LetterRecipient, letter: Letter) -> None:
    """Copy the inbox's sort key from the dispatched letter onto its copy: from now on the copy is in
    the receiving entity's inbox (selectors.inbox reads only these columns to find and order it)."""
    recipient.priority_rank = PRIORITY_ORDER[Priority(letter.priority)]
    recipient.dispatched_at = letter.dispatched_at


@transaction.atomic
def letter_dispatch(*, letter: Letter, actor: User) -> Letter:
    """Give the approved letter its outgoing number (gapless per entity and year) and send it:
    electronically to linked recipients, marked for paper delivery to the others."""
    _require(actor, letter.sender_entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    letter = _locked(letter, LetterStatus.APPROVED)
    sender = letter.sender_entity
    now = timezone.now()
    sequence = counter_next(entity=sender, register=OUTGOING_REGISTER, year=now.year)
    letter.year, letter.sequence, letter.dispatched_at = now.year, sequence, now
    letter.number = sender.letter_number_format.format(code=sender.code, seq=sequence, year=now.year)
    letter.status = LetterStatus.DISPATCHED
    recipients = list(letter.recipients.select_related("entity"))
    for recipient in recipients:
        recipient.delivery_mode = delivery_mode(sender, recipient.entity)
        _reach_inbox(recipient, letter)
    LetterRecipient.objects.bulk_update(recipients, ["delivery_mode", "priority_rank", "dispatched_at"])
    letter.artifact = Signer(sender).artifact(
        kind=ArtifactKind.LETTER,
        serial=letter.number,
        issued_at=now,
        content=letter_content_bytes(letter),
        display=[(gettext_noop("Subject"), letter.subject[:120])] if not letter.is_restricted else [],
    )
    letter.artifact.save(force_insert=True)
    letter.save(update_fields=["year", "sequence", "dispatched_at", "number", "status", "artifact"])
    audit_record(action="letter_dispatch", actor=actor, entity=sender, target=letter, data={"number": letter.number})
    pdf_queue(letter)
    for recipient in recipients:
        if recipient.delivery_mode == DeliveryMode.ELECTRONIC:
            urgent = letter.priority in (Priority.URGENT, Priority.IMMEDIATE)
            notify(
                users=_members(recipient.entity, STAFF_ROLES),
                message=gettext_noop("New letter %(number)s from %(sender)s: %(subject)s"),
                params={"number": letter.number, "sender": sender.name_ar, "subject": letter.subject[:100]},
                url=reverse("documents:letter", args=[letter.pk]),
                email=urgent,
            )
    return letter


def letter_read(*, letter: Letter, actor: User) -> None:
    """Every opening of a confidential (or higher) letter is written to the audit log."""
    if letter.is_restricted:
        audit_record(
            action="letter_read",
            actor=actor,
            entity=letter.sender_entity,
            target=letter,
            data={"level": letter.classification},
        )


@transaction.atomic
def letter_open(*, recipient: LetterRecipient, actor: User) -> LetterRecipient:
    """The first time a recipient's staff open an electronic letter, it counts as delivered."""
    recipient = LetterRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.delivered_at is None and recipient.delivery_mode == DeliveryMode.ELECTRONIC:
        recipient.delivered_at, recipient.delivered_by = timezone.now(), actor
        recipient.save(update_fields=["delivered_at", "delivered_by"])
        audit_record(action="letter_deliver", actor=actor, entity=recipient.entity, target=recipient.letter)
    return recipient


@transaction.atomic
def letter_paper_delivered(*, recipient: LetterRecipient, actor: User) -> LetterRecipient:
    """The sender's clerk records that the printed letter was handed to an unlinked recipient."""
    _require(actor, recipient.letter.sender_entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    recipient = LetterRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.delivery_mode != DeliveryMode.PAPER or recipient.delivered_at is not None:
        raise ValidationError(_("This copy is not waiting for paper delivery."))
    recipient.delivered_at, recipient.delivered_by = timezone.now(), actor
    recipient.save(update_fields=["delivered_at", "delivered_by"])
    audit_record(
        action="letter_deliver_paper", actor=actor, entity=recipient.letter.sender_entity, target=recipient.letter
    )
    return recipient


@transaction.atomic
def letter_register(*, recipient: LetterRecipient, actor: User) -> LetterRecipient:
    """Enter a received letter in the incoming register: a gapless incoming number per entity and year."""
    _require(actor, recipient.entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    recipient = LetterRecipient.objects.select_for_update().select_related("entity", "letter").get(pk=recipient.pk)
    if not letters_visible(actor).filter(pk=recipient.letter_id).exists():
        raise PermissionDenied  # e.g. a clerk and a confidential letter: heads register those
    if recipient.registered_at is not None:
        raise ValidationError(
            _("This letter is already registered as %(number)s.") % {"number": recipient.incoming_number}
        )
    now = timezone.now()
    sequence = counter_next(entity=recipient.entity, register=INCOMING_REGISTER, year=now.year)
    recipient.incoming_year, recipient.incoming_sequence = now.year, sequence
    # The same in every language: a number people cite must not depend on who registered it.
    recipient.incoming_number = f"{recipient.entity.code}/IN/{sequence}/{now.year}"
    recipient.registered_at, recipient.registered_by = now, actor
    if recipient.delivered_at is None:
        recipient.delivered_at, recipient.delivered_by = now, actor
    recipient.save()
    audit_record(
        action="letter_register",
        actor=actor,
        entity=recipient.entity,
        target=recipient.letter,
        data={"incoming_number": recipient.incoming_number},
    )
    return recipient


@transaction.atomic
def referral_create(
    *, recipient: LetterRecipient, referred_to: User, minute: str, due: dt.date | None, actor: User
) -> Referral:
    _require(actor, recipient.entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    recipient = LetterRecipient.objects.select_for_update().select_related("entity", "letter").get(pk=recipient.pk)
    if recipient.registered_at is None:
        raise ValidationError(_("Register the letter before referring it."))
    if not roles_in(referred_to, recipient.entity) & {str(role) for role in STAFF_ROLES}:
        raise ValidationError({"referred_to": _("Refer only to staff of your own entity.")})
    if not minute.strip():
        raise ValidationError({"minute": _("Write the minute: what should be done.")})
    referral = Referral.objects.create(
        recipient=recipient, referred_to=referred_to, minute=minute.strip(), due=due, created_by=actor
    )
    if recipient.letter.is_restricted and Role.ENTITY_HEAD not in roles_in(referred_to, recipient.entity):
        # Referring a confidential letter names the referee as a reader (the referral is audited).
        recipient.letter.named_readers.add(referred_to)
    audit_record(
        action="letter_refer",
        actor=actor,
        entity=recipient.entity,
        target=recipient.letter,
        data={"to": referred_to.email, "due": due.isoformat() if due else None},
    )
    notify(
        users=[referred_to],
        message=gettext_noop("A letter was referred to you: %(number)s"),
        params={"number": recipient.incoming_number},
        url=reverse("documents:letter", args=[recipient.letter_id]),
    )
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, note: str, actor: User) -> Referral:
    referral = Referral.objects.select_for_update().select_related("recipient").get(pk=referral.pk)
    if referral.referred_to_id != actor.pk:
        raise PermissionDenied
    if referral.closed_at is not None:
        raise ValidationError(_("This referral is already closed."))
    referral.closed_at, referral.closing_note = timezone.now(), note.strip()
    referral.save(update_fields=["closed_at", "closing_note"])
    audit_record(
        action="referral_close", actor=actor, entity=referral.recipient.entity, target=referral.recipient.letter
    )
    return referral


@transaction.atomic
def paper_letter_receive(
    *,
    entity: Entity,
    sender: Entity,
    number: str,
    date: dt.date,
    subject: str,
    scan: UploadedFile,
    actor: User,
) -> LetterRecipient:
    """Register a paper letter from an entity that is not linked yet: its scan, the sender's number
    and date, and a gapless incoming number of our own. Nothing is kept if the scan is refused."""
    _require(actor, entity, (Role.REGISTRY_CLERK, Role.ENTITY_HEAD))
    if sender.pk == entity.pk:
        raise ValidationError({"sender": _("A letter cannot be addressed to its own entity.")})
    if not number.strip() or not subject.strip():
        raise ValidationError(_("Enter the sender's number and the subject as written on the letter."))
    received_at = timezone.make_aware(dt.datetime.combine(date, dt.time(12)))
    letter = Letter.objects.create(
        sender_entity=sender,
        subject=subject.strip(),
        body="",
        search_text=normalize_arabic(subject),
        number=number.strip(),
        status=LetterStatus.DISPATCHED,
        dispatched_at=received_at,
        received_on_paper=True,
        created_by=actor,
    )
    recipient = LetterRecipient(letter=letter, entity=entity, kind=RecipientKind.TO, delivery_mode=DeliveryMode.PAPER)
    _reach_inbox(recipient, letter)
    recipient.save(force_insert=True)
    _store_attachment(letter, scan, actor)
    audit_record(action="letter_receive_paper", actor=actor, entity=entity, target=letter, data={"number": number})
    return letter_register(recipient=recipient, actor=actor)


def letter_reply(*, recipient: LetterRecipient, actor: User) -> Letter:
    """A reply: a new draft of the receiving entity, addressed to the sender, linked to the letter."""
    original = recipient.letter
    return letter_draft(
        sender=recipient.entity,
        actor=actor,
        in_reply_to=original,
        content=LetterContent(
            subject=(_("Reply: %(subject)s") % {"subject": original.subject})[:300],
            body="",
            classification=original.classification,
            priority=Priority.NORMAL,
            reply_due=None,
            to=[original.sender_entity],
            cc=[],
        ),
    )
