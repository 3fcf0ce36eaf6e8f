from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
OUTGOING_REGISTER = "outgoing"
INCOMING_REGISTER = "incoming"


class Classification(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top_secret", _("Top secret")


# Classifications whose letters only heads and named readers may open (each read audited).
RESTRICTED = (Classification.CONFIDENTIAL, Classification.SECRET, Classification.TOP_SECRET)


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    IMMEDIATE = "immediate", _("Immediate")


PRIORITY_ORDER = {Priority.IMMEDIATE: 0, Priority.URGENT: 1, Priority.NORMAL: 2}


# States, not actions: the same English words also name the steps in a letter's history (audit labels),
# which Arabic says differently ("الموافقة والتوقيع" is the act, "مُعتمَد وموقَّع" the letter after it).
class LetterStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("letter status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("letter status", "Awaiting approval")
    RETURNED = "returned", pgettext_lazy("letter status", "Returned for changes")
    APPROVED = "approved", pgettext_lazy("letter status", "Approved and signed")
    DISPATCHED = "dispatched", pgettext_lazy("letter status", "Dispatched")


class RecipientKind(models.TextChoices):
    TO = "to", _("To")
    CC = "cc", _("Copy to")


class DeliveryMode(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic")
    PAPER = "paper", _("Paper (printed and delivered by hand)")


class RegisterKind(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing register")
    INCOMING = "incoming", _("Incoming register")


class ExportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("printed register", "Being prepared")
    READY = "ready", pgettext_lazy("printed register", "Ready")
    FAILED = "failed", pgettext_lazy("printed register", "Could not be prepared")


# A printed register is a snapshot that may list confidential subjects: it is kept long enough to be
# downloaded during the working day, then deleted (the register page prints a fresh one at any time).
EXPORT_KEEP_HOURS = 24
PDF_ROW_LIMIT = 2000  # a printed register beyond this is not read; narrow the dates instead
