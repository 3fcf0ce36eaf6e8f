from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "govportal.verification"
    label = "verification"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from govportal.api.registry import router_register
        from govportal.verification.api import router

        router_register("verify", router)
