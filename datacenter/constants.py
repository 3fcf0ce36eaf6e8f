from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

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
    # A request (طلب) is masculine in Arabic: its states agree with it ("طلب مُرسَل").
    SUBMITTED = "submitted", pgettext_lazy("authenticity request status", "Submitted")
    UNDER_REVIEW = "under_review", pgettext_lazy("authenticity request status", "Under review")
    RETURNED = "returned", pgettext_lazy("authenticity request status", "Returned for more information")
    ANSWERED = "answered", pgettext_lazy("authenticity request status", "Answered")


# Kept as msgids too: the public verify page stores them and translates at display time.
CONFIRMED_TEXT = gettext_noop("Confirmed: issued by this entity")
NOT_CONFIRMED_TEXT = gettext_noop("Not confirmed: not issued by this entity")


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _(CONFIRMED_TEXT)
    NOT_CONFIRMED = "not_confirmed", _(NOT_CONFIRMED_TEXT)


OUTCOME_TEXT = {Outcome.CONFIRMED: CONFIRMED_TEXT, Outcome.NOT_CONFIRMED: NOT_CONFIRMED_TEXT}
