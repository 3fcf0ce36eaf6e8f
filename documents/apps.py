from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official correspondence")

    def ready(self) -> None:
        from documents import exports
        from documents.constants import ExportStatus, LetterStatus
        from documents.demo import demo_letters
        from documents.models import Letter, RegisterExport
        from documents.services import letter_pdf_context
        from documents.workspace import documents_cards
        from govportal.audit import labels
        from govportal.pdf.printables import printable_register
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS

        workspace.register(documents_cards)
        printable_register(
            Letter,
            field="pdf",
            template="documents/letter_pdf.html",
            context=letter_pdf_context,
            filename=lambda letter: f"{letter.number.replace('/', '-')}.pdf",
            select_related=("sender_entity__parent", "artifact"),
            since="dispatched_at",
            wanted=lambda letters: letters.filter(status=LetterStatus.DISPATCHED, artifact__isnull=False),
        )
        printable_register(
            RegisterExport,
            field="file",
            template="documents/register_pdf.html",
            context=exports.register_export_context,
            filename=exports.register_export_filename,
            select_related=("entity__parent", "requested_by"),
            done=exports.export_status_done,
            failed=exports.export_status_failed,
            since="created_at",
            wanted=lambda registers: registers.filter(status=ExportStatus.PENDING),
        )
        labels.register(
            {
                "letter_draft": _("Letter drafted"),
                "letter_edit": _("Draft changed"),
                "attachment_add": _("File attached"),
                "letter_submit": _("Submitted for approval"),
                "letter_return": _("Returned for changes"),
                "letter_approve": _("Approved and signed"),
                "letter_dispatch": _("Dispatched"),
                "letter_deliver": _("Delivered (opened by the recipient)"),
                "letter_deliver_paper": _("Paper copy delivered"),
                "letter_register": _("Registered as incoming"),
                "letter_refer": _("Referred"),
                "referral_close": _("Referral closed"),
                "letter_read": _("Read (confidential letter)"),
                "letter_receive_paper": _("Paper letter received"),
                "register_export": _("Register printed (PDF)"),
                "register_exports_purge": _("Old printed registers deleted"),
            }
        )
        if demo_letters not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_letters)
