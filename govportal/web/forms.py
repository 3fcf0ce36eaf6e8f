from django.forms.renderers import DjangoTemplates


class PortalFormRenderer(DjangoTemplates):
    """Every Django form field renders through templates/includes/field.html."""

    field_template_name = "includes/field.html"
