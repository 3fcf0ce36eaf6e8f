from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ANSWER_DAYS = 7  # a request is overdue when unanswered this many days after submission
CERTIFICATE_REGISTER = "certificate"
REQUEST_REGISTER = "authenticity_request"


class DocumentType(models.TextChoices):
    DEGREE = "degree", _("Academic degree")
    ADMIN_ORDER = "admin_order", _("Administrative order")
    IDENTITY = "identity", _("Identity document")
    OTHER = "other", _("Other document")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for more information")
    ANSWERED = "answered", _("Answered")


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: issued by this entity")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
