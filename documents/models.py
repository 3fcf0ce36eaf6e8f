from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.constants import (
    Classification,
    DeliveryMode,
    ExportStatus,
    LetterStatus,
    Priority,
    RecipientKind,
    RegisterKind,
)


def letter_pdf_path(instance: Letter, filename: str) -> str:
    return f"documents/letters/{instance.dispatched_at:%Y}/{instance.pk}.pdf"


class Letter(models.Model):
    """An official letter (كتاب رسمي) from one entity to others, from draft to dispatch."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("sending entity"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    search_text = models.TextField(_("normalised subject and text"), editable=False, default="")
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.NORMAL
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    reply_due = models.DateField(_("reply due by"), null=True, blank=True)
    in_reply_to = models.ForeignKey(
        "self", verbose_name=_("in reply to"), on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    named_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named readers"),
        blank=True,
        related_name="+",
        help_text=_("Besides the heads, who may read a confidential letter."),
    )
    status = models.CharField(_("status"), max_length=16, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    return_comment = models.TextField(_("comment when returned"), blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    number = models.CharField(_("outgoing number"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    received_on_paper = models.BooleanField(
        _("received on paper"),
        default=False,
        help_text=_(
            "A paper letter from an entity not yet linked, registered from its scan; its number is the sender's."
        ),
    )
    artifact = models.OneToOneField(
        "verification.Artifact",
        verbose_name=_("verifiable record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(
        _("PDF"),
        upload_to=letter_pdf_path,
        max_length=200,
        blank=True,
        help_text=_("The printed letter, rendered once after dispatch."),
    )

    class Meta:
        verbose_name = _("official letter")
        verbose_name_plural = _("official letters")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender_entity", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="letter_unique_outgoing_number",
            ),
            models.CheckConstraint(
                condition=~Q(status=LetterStatus.DISPATCHED)
                | Q(sequence__isnull=False, dispatched_at__isnull=False)
                | Q(received_on_paper=True, dispatched_at__isnull=False),
                name="letter_dispatched_has_number",
            ),
        ]
        indexes = [
            # The outgoing register's order (documents.selectors.REGISTER_ORDER), the id breaking ties:
            # a page, at any depth, is a range scan of the entity's dispatched letters.
            models.Index(fields=["sender_entity", "-dispatched_at", "-id"], name="letter_register_idx"),
            models.Index(fields=["sender_entity", "status"]),
            # Lookup by outgoing number: search_letters matches number__iexact, i.e. UPPER(number).
            models.Index(Upper("number"), name="letter_number_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.subject

    @property
    def is_restricted(self) -> bool:
        return self.classification != Classification.NORMAL


class LetterRecipient(models.Model):
    """One addressee of a letter: how it reaches them and what they did with it."""

    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="recipients")
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("receiving entity"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("as"), max_length=4, choices=RecipientKind.choices, default=RecipientKind.TO)
    delivery_mode = models.CharField(_("delivery"), max_length=12, choices=DeliveryMode.choices, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened or delivered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    incoming_number = models.CharField(_("incoming number"), max_length=64, blank=True)
    incoming_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    incoming_sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The inbox's sort key, copied from the letter when this copy reaches the inbox (dispatch, or a
    # paper letter registered) and never changed after: a page of the inbox is then one range scan
    # of recipient_inbox_idx instead of a join and sort of every letter the entity ever received.
    priority_rank = models.PositiveSmallIntegerField(
        _("priority rank"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The letter's priority as the inbox sorts it: immediate 0, urgent 1, normal 2."),
    )
    dispatched_at = models.DateTimeField(
        _("dispatched at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty until the letter is dispatched; a copy appears in the inbox from then on."),
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["kind", "entity__path"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "entity"], name="recipient_once_per_letter"),
            models.UniqueConstraint(
                fields=["entity", "incoming_year", "incoming_sequence"],
                condition=Q(incoming_sequence__isnull=False),
                name="recipient_unique_incoming_number",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "delivered_at"]),
            models.Index(fields=["entity", "registered_at"]),
            # The inbox's order (documents.selectors.INBOX_ORDER): a page, at any depth, is a range scan.
            models.Index(fields=["entity", "priority_rank", "-dispatched_at", "-id"], name="recipient_inbox_idx"),
            # The incoming register's order (newest first, whatever the priority): likewise a range scan.
            models.Index(fields=["entity", "-dispatched_at", "-id"], name="recipient_register_idx"),
            # Lookup by incoming number: search_letters matches incoming_number__iexact.
            models.Index(Upper("incoming_number"), name="recipient_incoming_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.letter} → {self.entity}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"documents/{instance.letter_id}/{instance.pk}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["added_at"]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    """A received letter sent on to a named staff member with a minute (هامش) and a due date."""

    recipient = models.ForeignKey(
        LetterRecipient, verbose_name=_("received letter"), on_delete=models.CASCADE, related_name="referrals"
    )
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="referrals"
    )
    minute = models.TextField(_("minute"))
    due = models.DateField(_("due by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recipient} → {self.referred_to}"


def register_export_path(instance: RegisterExport, filename: str) -> str:
    return f"documents/registers/{instance.created_at:%Y/%m}/{instance.pk}.pdf"


class RegisterExport(models.Model):
    """A register printed for one person: what they may see of their entity's register, with their
    filters, as it stood when the worker rendered it. Kept for a day (``EXPORT_KEEP_HOURS``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey("entities.Entity", verbose_name=_("entity"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("register"), max_length=8, choices=RegisterKind.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("PDF"), upload_to=register_export_path, max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("printed register")
        verbose_name_plural = _("printed registers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | ~Q(file=""), name="register_export_ready_has_file"
            ),
            models.CheckConstraint(
                condition=Q(status=ExportStatus.PENDING, finished_at__isnull=True)
                | (~Q(status=ExportStatus.PENDING) & Q(finished_at__isnull=False)),
                name="register_export_finished_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["created_at"]),  # the daily purge of old ones
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
