from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "govportal.api"
    label = "api"
    verbose_name = _("API for other systems")

    def ready(self) -> None:
        from govportal.api.selectors import api_cards
        from govportal.audit import labels
        from govportal.web import workspace

        workspace.register(api_cards)

        labels.register(
            {
                "api_client_create": _("API client created"),
                "api_client_rotate": _("API client's secret replaced"),
                "api_client_revoke": _("API client revoked"),
                "api_call": _("API call"),
            }
        )
        labels.register_sentences(
            {
                "api_client_create": _("API client %(target)s was created"),
                "api_client_rotate": _("The secret of API client %(target)s was replaced"),
                "api_client_revoke": _("API client %(target)s was revoked"),
                "api_call": _("API client %(target)s called the API"),
            }
        )
