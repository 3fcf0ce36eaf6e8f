from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "govportal.api"
    label = "api"
    verbose_name = _("API for other systems")

    def ready(self) -> None:
        from govportal.api.demo import demo_verifier
        from govportal.api.selectors import api_cards
        from govportal.audit import labels
        from govportal.web import workspace
        from govportal.web.demo import API_CLIENT_MAKERS

        workspace.register(api_cards)
        if demo_verifier not in API_CLIENT_MAKERS:
            API_CLIENT_MAKERS.append(demo_verifier)

        labels.register(
            {
                "api_client_create": _("API client created"),
                "api_client_rotate": _("API client's secret replaced"),
                "api_client_revoke": _("API client revoked"),
                "api_call": _("API call"),
                "api_notify_endpoint_set": _("API client's notification endpoint set"),
                "api_notify_secret_rotate": _("API client's notification signing secret replaced"),
                "api_notification_resend": _("Notification re-sent"),
                "api_notification_give_up": _("Notification given up"),
            }
        )
        labels.register_sentences(
            {
                "api_client_create": _("API client %(target)s was created"),
                "api_client_rotate": _("The secret of API client %(target)s was replaced"),
                "api_client_revoke": _("API client %(target)s was revoked"),
                "api_call": _("API client %(target)s called the API"),
                "api_notify_endpoint_set": _("The notification endpoint of API client %(target)s was set"),
                "api_notify_secret_rotate": _("The notification signing secret of API client %(target)s was replaced"),
                "api_notification_resend": _("A notification to API client %(target)s was re-sent"),
                "api_notification_give_up": _("A notification to API client %(target)s was given up"),
            }
        )
