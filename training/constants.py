from django.db import models
from django.utils.translation import gettext_lazy as _

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


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Not passed")


# An enrollment in these states holds its trainee's time: no other session may overlap it.
HOLDING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
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
