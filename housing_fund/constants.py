from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Installments are billed (become collection bills) this many days before they fall due.
BILLING_DAYS_AHEAD = 45
# Reminder e-mails go this many days before an installment is due.
REMINDER_DAYS_BEFORE = 5
STATEMENT_REGISTER = "statement"
LINK_ATTEMPTS_PER_HOUR = 5
# Arrears aging buckets: (code, label, first day overdue, last day overdue or None).
AGING_BUCKETS = [
    ("current", _("Current"), 0, 0),
    ("1_30", _("1–30 days"), 1, 30),
    ("31_60", _("31–60 days"), 31, 60),
    ("61_90", _("61–90 days"), 61, 90),
    ("90_plus", _("Over 90 days"), 91, None),
]


class LoanPurpose(models.TextChoices):
    BUILD = "build", _("Build a home")
    BUY = "buy", _("Buy a home")
    RENOVATE = "renovate", _("Renovate a home")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SETTLED = "settled", _("Settled")
    DEFAULTED = "defaulted", _("Defaulted")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class InstallmentState(models.TextChoices):
    """What a borrower reads in an installment's status tag (short words: each with its context)."""

    PAID = "paid", pgettext_lazy("installment status", "Paid")
    PARTLY_PAID = "partly_paid", pgettext_lazy("installment status", "Partly paid")
    DUE = "due", pgettext_lazy("installment status", "Due")
    OVERDUE = "overdue", pgettext_lazy("installment status", "Overdue")
    UPCOMING = "upcoming", pgettext_lazy("installment status", "Upcoming")
    REPLACED = "replaced", pgettext_lazy("installment status", "Replaced by a new schedule")


class RescheduleStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")
