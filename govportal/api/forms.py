from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govportal.api.constants import DeliveryStatus


class EndpointForm(forms.Form):
    notify_url = forms.CharField(
        label=_("Notification endpoint"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"dir": "ltr", "autocomplete": "url", "spellcheck": "false"}),
        help_text=_(
            "The HTTPS address of your system that receives payment notifications. Leave it empty to stop them."
        ),
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", pgettext_lazy("notification deliveries", "All")), *DeliveryStatus.choices],
    )
