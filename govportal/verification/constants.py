from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ALGORITHM = "ES256"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired (still verifies)")
    REVOKED = "revoked", _("Revoked")


class ArtifactKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate of authenticity of issuance")
    RECEIPT = "receipt", _("Payment receipt")
    TRAINING_CERTIFICATE = "training_certificate", _("Training certificate")
    LETTER = "letter", _("Official letter")
    STATEMENT = "statement", _("Account statement")


class ArtifactStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("status of a file of documents to check", "Waiting")
    RUNNING = "running", pgettext_lazy("status of a file of documents to check", "Checking")
    DONE = "done", pgettext_lazy("status of a file of documents to check", "Checked")
    FAILED = "failed", pgettext_lazy("status of a file of documents to check", "Refused")
