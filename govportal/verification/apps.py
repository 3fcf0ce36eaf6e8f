from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "govportal.verification"
    label = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from govportal.api.registry import router_register
        from govportal.audit import labels
        from govportal.verification.api import router
        from govportal.verification.batch_views import auditor_cards
        from govportal.web import workspace

        router_register("verify", router)
        workspace.register(auditor_cards)
        labels.register(
            {
                "verification_batch_upload": _("File of documents to check uploaded"),
                "trust_root_create": _("Trust root key created"),
                "trust_root_rotate": _("Trust root key rotated"),
                "trust_root_revoke": _("Trust root key revoked"),
            }
        )
        labels.register_sentences(
            {
                "verification_batch_upload": _("A file of documents to check, %(target)s, was uploaded"),
                "trust_root_create": _("Trust root key %(target)s was created"),
                "trust_root_rotate": _("Trust root key %(target)s was made active"),
                "trust_root_revoke": _("Trust root key %(target)s was revoked"),
            }
        )
