from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from govportal.audit import labels
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS
        from training.demo import demo_training
        from training.models import Nomination, TrainingCertificate
        from training.services import certificate_pdf_context
        from training.workspace import training_cards

        workspace.register(training_cards)
        printable_register(
            TrainingCertificate,
            field="pdf",
            template="training/certificate_pdf.html",
            context=certificate_pdf_context,
            filename=lambda certificate: f"{certificate.serial}.pdf",
            select_related=(
                "issuing_entity__parent",
                "artifact",
                "enrollment__session__programme",
                "enrollment__trainee__entity",
            ),
            since="issued_at",
        )
        labels.register(
            {
                "training_programme_create": _("Training programme created"),
                "training_session_create": _("Training session scheduled"),
                "training_quota_set": _("Training quota set"),
                "training_nominate": _("Employee nominated for training"),
                "training_nomination_approve": _("Training nomination approved"),
                "training_nomination_reject": _("Training nomination rejected"),
                "training_enrollment_cancel": _("Training place cancelled"),
                "training_waitlist_promote": _("Moved from the waiting list to a seat"),
                "training_attendance_mark": _("Training attendance marked"),
                "training_checkin": _("Checked in to a training session"),
                "training_enrollment_complete": _("Training result recorded"),
                "training_certificate_issue": _("Training certificate issued"),
                "training_reminders_send": _("Training reminders sent"),
            }
        )
        labels.register_sentences(
            {
                "training_programme_create": _("Training programme %(target)s was created"),
                "training_session_create": _("Training session %(target)s was scheduled"),
                "training_quota_set": _("A training quota was set: %(target)s"),
                "training_nominate": _("An employee was nominated for training: %(target)s"),
                "training_nomination_approve": _("A training nomination was approved: %(target)s"),
                "training_nomination_reject": _("A training nomination was rejected: %(target)s"),
                "training_enrollment_cancel": _("A place in a training session was cancelled"),
                "training_waitlist_promote": _("A trainee moved from the waiting list to a seat"),
                "training_attendance_mark": _("Attendance was marked for training session %(target)s"),
                "training_checkin": _("A trainee checked in to a training session"),
                "training_enrollment_complete": _("A trainee's training result was recorded"),
                "training_certificate_issue": _("Training certificate %(target)s was issued"),
                "training_reminders_send": _("Reminders of coming training sessions were sent"),
            }
        )
        labels.register_target(
            "training.nomination",
            labels.model_targets(
                Nomination,
                label=lambda nomination: (
                    pgettext("training nomination", "%(trainee)s (%(session)s)")
                    % {"trainee": nomination.trainee.full_name, "session": nomination.session}
                ),
                related=("trainee", "session__programme"),
            ),
        )
        if demo_training not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_training)
