from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "govportal.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from govportal.audit.targets import register_core_targets

        register_core_targets()
