from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TARGET_TRAINEES = 4000  # employees of all state institutions to be trained (the programme's goal)
CERTIFICATE_REGISTER = "training_certificate"
REMINDER_DAYS = 2  # enrolled trainees are reminded this many days before the first day
CHECKIN_SLOT_SECONDS = 30  # the self check-in QR code changes this often
CHECKIN_SLOTS_VALID = 2  # a code scanned up to one slot late still counts (≤ 60 s in all)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 500


class System(models.TextChoices):
    DOCUMENTS = "documents", _("Electronic document management")
    COLLECTION = "collection", _("Electronic collection")
    CERTIFICATES = "certificates", _("Certificates of authenticity of issuance")
    HOUSING_FUND = "housing_fund", _("Housing fund loans")
    VERIFICATION = "verification", _("Verifiable documents")
    GENERAL = "general", _("Digital skills (general)")


class SessionState(models.TextChoices):
    """Where a session stands, from its nomination window, its lock and its days (``Session.state``)."""

    UPCOMING = "upcoming", pgettext_lazy("training session state", "Nominations not open yet")
    OPEN = "open", pgettext_lazy("training session state", "Nominations open")
    CLOSED = "closed", pgettext_lazy("training session state", "Nominations closed")
    LOCKED = "locked", pgettext_lazy("training session state", "Locked")
    RUNNING = "running", pgettext_lazy("training session state", "Under way")
    FINISHED = "finished", pgettext_lazy("training session state", "Finished")


# Statuses carry a context: the same English words are column headings and other apps' statuses,
# and in Arabic each agrees with its own noun (a nomination, a trainee's place).
class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", pgettext_lazy("training nomination status", "Nominated")
    APPROVED = "approved", pgettext_lazy("training nomination status", "Approved")
    REJECTED = "rejected", pgettext_lazy("training nomination status", "Rejected")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", pgettext_lazy("training place status", "Enrolled")
    WAITLISTED = "waitlisted", pgettext_lazy("training place status", "On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("training place status", "Cancelled")
    COMPLETED = "completed", pgettext_lazy("training place status", "Completed")
    FAILED = "failed", pgettext_lazy("training place status", "Not passed")


# An enrollment in these states holds its trainee's time: no other session may overlap it.
HOLDING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
# ... in these it holds (or held) one of the session's seats: a result keeps the seat it was earned in ...
SEATED = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.FAILED)
# ... and in these it uses a seat of the institution's quota (a cancelled place gives it back).
USING_QUOTA = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.FAILED,
)


class AttendanceMethod(models.TextChoices):
    CHECKLIST = "checklist", _("Marked by the trainer")
    SELF_CHECKIN = "self_checkin", _("Self check-in (QR code)")
