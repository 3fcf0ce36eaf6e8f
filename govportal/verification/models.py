from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govportal.verification.constants import ALGORITHM, ArtifactKind, ArtifactStatus, BatchStatus, KeyStatus


class KeyRecord(models.Model):
    """What every key of ours keeps: its public half, its private half encrypted under SIGNING_KEK,
    and its life (active, retired: still verifies, revoked)."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=10, default=ALGORITHM, editable=False)
    public_jwk = models.JSONField(_("public key (JWK)"), editable=False)
    private_key_encrypted = models.BinaryField(_("private key (encrypted)"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.kid


class SigningKey(KeyRecord):
    """An issuing entity's ECDSA P-256 key. The private half is stored encrypted under SIGNING_KEK."""

    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("entity"), on_delete=models.PROTECT, related_name="signing_keys"
    )

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["entity__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"], condition=Q(status=KeyStatus.ACTIVE), name="signingkey_one_active_per_entity"
            )
        ]


class TrustRootKey(KeyRecord):
    """The General Secretariat's root key: it signs the trust list of issuing entities and their keys,
    and the status lists. Offline scanners pin its public half. Created, rotated and revoked only by
    ``manage.py trust_root`` (docs/OPERATIONS.md, "The trust root"); the private half is stored
    encrypted under SIGNING_KEK like the entities' keys."""

    class Meta:
        verbose_name = _("trust root key")
        verbose_name_plural = _("trust root keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status=KeyStatus.ACTIVE), name="trustrootkey_one_active"
            )
        ]


class Artifact(models.Model):
    """Something printed that anyone can verify: its signed token, live status and masked details.

    Domain apps create these through ``verification.services.artifact_issue`` and keep a
    reference; the public verify page reads only this table.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("issuing entity"), on_delete=models.PROTECT, related_name="artifacts"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ArtifactKind.choices)
    serial = models.CharField(_("serial"), max_length=64)
    issued_at = models.DateTimeField(_("issued at"))
    digest = models.CharField(_("content digest (SHA-256)"), max_length=64)
    key = models.ForeignKey(SigningKey, verbose_name=_("signing key"), on_delete=models.PROTECT, related_name="+")
    token = models.TextField(_("signed token"))
    # [[msgid, value]]: a value is a string shown as stored, or a typed value (a moment, a day, an
    # amount, names in both languages...) formatted for the reader: see verification.display.
    display = models.JSONField(
        _("details shown when verified"), default=list, help_text=_("Label/value pairs, personal data masked.")
    )
    status = models.CharField(_("status"), max_length=12, choices=ArtifactStatus.choices, default=ArtifactStatus.VALID)
    # [{"at": ISO time, "text": msgid with %(name)s placeholders, "params": {name: value}}]
    notes = models.JSONField(
        _("changes since issue"),
        default=list,
        blank=True,
        help_text=_("Shown when verified: a document still valid but changed (e.g. partly refunded)."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("replaced by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Its place in the status lists (verification.status_lists), named in its token; none for the
    # documents signed before the lists existed.
    status_index = models.BigIntegerField(_("index in the status list"), null=True, blank=True, unique=True)
    verify_count = models.PositiveIntegerField(_("times verified"), default=0)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verifiable artifact")
        verbose_name_plural = _("verifiable artifacts")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "kind", "serial"], name="artifact_unique_serial"),
        ]
        indexes = [
            models.Index(fields=["serial"]),
            # The few documents that are not plainly valid: the offline scanner's status list.
            models.Index(
                fields=["status"],
                condition=~Q(status=ArtifactStatus.VALID) | ~Q(notes=[]),
                name="artifact_not_plainly_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def path(self) -> str:
        return f"/v/{self.token}"


def batch_upload_path(instance: VerificationBatch, filename: str) -> str:
    return f"verification/batches/{instance.created_at:%Y/%m}/{instance.pk}.csv"


def batch_result_path(instance: VerificationBatch, filename: str) -> str:
    return f"verification/batches/{instance.created_at:%Y/%m}/{instance.pk}-results.csv"


class VerificationBatch(models.Model):
    """A CSV file of serials and dates of issue that an auditor uploaded, checked in the background
    (``verification.batches``); its answers are a CSV file to download."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("auditor's entity"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(
        _("language of the results"), max_length=8, help_text=_("The uploader's language when they uploaded it.")
    )
    upload = models.FileField(_("file"), upload_to=batch_upload_path, blank=True)
    result = models.FileField(_("results"), upload_to=batch_result_path, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    counts = models.JSONField(_("answers by status"), default=dict)
    # [{"line": n, "problems": [[msgid, {params}]]}]: translated when shown.
    errors = models.JSONField(_("bad rows"), default=list)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("file of documents to check")
        verbose_name_plural = _("files of documents to check")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity", "-created_at"])]

    def __str__(self) -> str:
        return self.name
