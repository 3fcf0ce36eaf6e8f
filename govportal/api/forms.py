from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govportal.api.constants import DeliveryStatus
from govportal.api.scopes import SCOPES
from govportal.entities.models import Entity


class ClientForm(forms.Form):
    entity = forms.ModelChoiceField(
        label=_("Entity"), queryset=Entity.objects.none(), error_messages={"required": _("Choose the entity.")}
    )
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=120,
        help_text=_('The system that will call the API, for example "Billing system".'),
        error_messages={"required": _("Give the client a name: the system that will call the API.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[(scope, label) for scope, label in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing the client may do.")},
    )

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]
        if len(entities) == 1:
            self.fields["entity"].initial = entities[0]


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
