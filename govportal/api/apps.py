from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "govportal.api"
    label = "api"
    verbose_name = _("API for other systems")

    def ready(self) -> None:
        from govportal.api.demo import demo_verifier
        from govportal.audit import labels
        from govportal.web.demo import API_CLIENT_MAKERS

        if demo_verifier not in API_CLIENT_MAKERS:
            API_CLIENT_MAKERS.append(demo_verifier)

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
