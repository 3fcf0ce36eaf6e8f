from django.core.exceptions import ValidationError
from django.db.models import fields
from django.forms import Form
from django.forms.renderers import TemplatesSetting
from django.utils.translation import pgettext_lazy

# The first option of every select that may be left empty, in every form (ours, allauth's and the
# admin's): our own words and our own msgid, so that no page depends on a translation of Django's
# "- Select an option -" (new in Django 6.1, with no Arabic in Django's catalogue).
BLANK_CHOICE_LABEL = pgettext_lazy("empty first option of a list", "Choose from the list")


def use_portal_blank_choice() -> None:
    """Make ``BLANK_CHOICE_LABEL`` Django's blank choice (Django reads it from the models' fields
    module when a field is built). Called while the apps load, before any form class is defined."""
    fields.BLANK_CHOICE_LABEL = BLANK_CHOICE_LABEL


class PortalFormRenderer(TemplatesSetting):
    """Every Django form field renders through templates/includes/field.html."""

    field_template_name = "includes/field.html"


def apply_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the right fields of ``form`` (the rest on top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
