from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from govportal.web.forms import use_portal_blank_choice

# Here, when Django imports the apps' configurations, and not in ready(): the admin's ready() runs
# first and already builds form fields (Django's own blank choice label would be kept in them).
use_portal_blank_choice()


class WebConfig(AppConfig):
    name = "govportal.web"
    label = "web"
    verbose_name = _("Portal pages")
