from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official correspondence")

    def ready(self) -> None:
        from documents.demo import demo_letters
        from documents.workspace import documents_cards
        from govportal.audit import labels
        from govportal.web import workspace
        from govportal.web.demo import SAMPLE_MAKERS

        workspace.register(documents_cards)
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
            }
        )
        if demo_letters not in SAMPLE_MAKERS:
            SAMPLE_MAKERS.append(demo_letters)
