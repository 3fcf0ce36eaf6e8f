from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datacenter.constants import DocumentType, Outcome, RequestStatus
from govportal.accounts.validators import validate_national_id


def attachment_path(instance: AuthenticityRequest, filename: str) -> str:
    # The stored name never comes from the uploader: content type decides the extension.
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        instance.attachment_content_type, "bin"
    )
    return f"datacenter/requests/{instance.submitted_at:%Y/%m}/{instance.pk}.{extension}"


def certificate_pdf_path(instance: Certificate, filename: str) -> str:
    return f"datacenter/certificates/{instance.issued_at:%Y}/{instance.serial}.pdf"


class AuthenticityRequestQuerySet(models.QuerySet["AuthenticityRequest"]):
    def open(self) -> AuthenticityRequestQuerySet:
        return self.filter(status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW])

    def overdue(self) -> AuthenticityRequestQuerySet:
        return self.open().filter(due_at__lt=timezone.now())

    def overdue_first(self) -> AuthenticityRequestQuerySet:
        """Open requests past their due date first (oldest due first), then the rest by due date."""
        return self.order_by(
            models.Case(
                models.When(Q(status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW]), then=0),
                default=1,
            ),
            F("due_at").asc(),
        )


class AuthenticityRequest(models.Model):
    """One entity asks another whether it really issued a document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    requesting_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("requesting entity"), on_delete=models.PROTECT, related_name="+"
    )
    issuing_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("issuing entity"), on_delete=models.PROTECT, related_name="+"
    )
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices)
    document_number = models.CharField(_("document number"), max_length=64)
    document_date = models.DateField(_("document date"))
    holder_name = models.CharField(_("holder's full name"), max_length=200)
    holder_name_search = models.CharField(
        _("holder's name (normalised for search)"), max_length=200, editable=False, db_index=True
    )
    holder_national_id = models.CharField(
        _("holder's national ID number"), max_length=12, validators=[validate_national_id]
    )
    attachment = models.FileField(_("scanned document"), upload_to=attachment_path, max_length=200)
    attachment_content_type = models.CharField(_("attachment type"), max_length=40, editable=False)
    attachment_sha256 = models.CharField(_("attachment SHA-256"), max_length=64, editable=False)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due by"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    returned_reason = models.TextField(_("what is missing"), blank=True)

    objects = AuthenticityRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("authenticity request")
        verbose_name_plural = _("authenticity requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requesting_entity=F("issuing_entity")), name="authenticity_request_two_entities"
            ),
        ]
        indexes = [models.Index(fields=["issuing_entity", "status", "due_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_tone(self) -> str:
        return {
            RequestStatus.SUBMITTED: "blue",
            RequestStatus.UNDER_REVIEW: "amber",
            RequestStatus.RETURNED: "red",
            RequestStatus.ANSWERED: "green",
        }[RequestStatus(self.status)]

    @property
    def is_overdue(self) -> bool:
        return self.status in (RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW) and self.due_at < timezone.now()


class Certificate(models.Model):
    """The issuing entity's signed answer: the document was (or was not) issued by it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    serial = models.CharField(_("serial"), max_length=64, unique=True)
    issuing_entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("issuing entity"), on_delete=models.PROTECT, related_name="+"
    )
    requesting_entity = models.ForeignKey(
        "entities.Entity",
        verbose_name=_("requesting entity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.OneToOneField(
        AuthenticityRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate",
    )
    outcome = models.CharField(_("answer"), max_length=16, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the document is not confirmed."))
    document_type = models.CharField(_("document type"), max_length=16, choices=DocumentType.choices)
    document_number = models.CharField(_("document number"), max_length=64)
    document_date = models.DateField(_("document date"))
    holder_name = models.CharField(_("holder's full name"), max_length=200)
    holder_national_id = models.CharField(_("holder's national ID number"), max_length=12)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    artifact = models.OneToOneField(
        "verification.Artifact", verbose_name=_("verifiable record"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_path, blank=True, max_length=200)
    legacy = models.BooleanField(_("imported from the legacy system"), default=False)

    class Meta:
        verbose_name = _("certificate of authenticity")
        verbose_name_plural = _("certificates of authenticity")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["issuing_entity", "-issued_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=Outcome.CONFIRMED) | ~Q(reason=""), name="certificate_not_confirmed_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.serial
