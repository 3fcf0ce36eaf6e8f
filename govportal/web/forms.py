from django.core.exceptions import ValidationError
from django.forms import Form
from django.forms.renderers import TemplatesSetting


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
