from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official correspondence")

    def ready(self) -> None:
        from documents import exports
        from documents.constants import ExportStatus, LetterStatus
        from documents.demo import demo_letters
        from documents.models import Letter, RegisterExport
        from documents.selectors import letters_visible
        from documents.services import letter_pdf_context
        from documents.workspace import approvals_header_link, documents_cards, letter_hidden_label, letter_label
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
                "letter_return": pgettext_lazy("letter event", "Returned for changes"),
                "letter_approve": pgettext_lazy("letter event", "Approved and signed"),
                "letter_dispatch": pgettext_lazy("letter event", "Dispatched"),
                "letter_deliver": _("Delivered (opened by the recipient)"),
                "letter_deliver_paper": _("Paper copy delivered"),
                "letter_register": pgettext_lazy("letter event", "Registered as incoming"),
                "letter_refer": pgettext_lazy("letter event", "Referred"),
                "referral_close": _("Referral closed"),
                "letter_read": _("Read (confidential letter)"),
                "letter_receive_paper": _("Paper letter received"),
                "register_export": _("Register printed (PDF)"),
                "register_exports_purge": _("Old printed registers deleted"),
            }
        )
        labels.register_sentences(
            {
                "letter_draft": _("Letter %(target)s was drafted"),
                "letter_edit": _("The draft of letter %(target)s was changed"),
                "attachment_add": _("A file was attached to letter %(target)s"),
                "letter_submit": _("Letter %(target)s was submitted for approval"),
                "letter_return": _("Letter %(target)s was returned for changes"),
                "letter_approve": _("Letter %(target)s was approved and signed"),
                "letter_dispatch": _("Letter %(target)s was dispatched"),
                "letter_deliver": _("Letter %(target)s was opened by its recipient"),
                "letter_deliver_paper": _("The paper copy of letter %(target)s was delivered"),
                "letter_register": _("Letter %(target)s was registered as incoming"),
                "letter_refer": _("Letter %(target)s was referred to a colleague"),
                "referral_close": _("A referral of letter %(target)s was closed"),
                "letter_read": _("Confidential letter %(target)s was read"),
                "letter_receive_paper": _("Paper letter %(target)s was received"),
                "register_export": _("A register was printed (PDF)"),
                "register_exports_purge": _("Old printed registers were deleted"),
            }
        )
        labels.register_target(
            "documents.letter",
            labels.model_targets(
                Letter,
                visible=letters_visible,
                url=lambda letter: reverse("documents:letter", args=[letter.pk]),
                label=letter_label,
                hidden_label=letter_hidden_label,
            ),
        )
        workspace.register_header(approvals_header_link)
        if demo_letters not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_letters)
