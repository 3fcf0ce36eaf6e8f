from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every Django form field renders through templates/includes/field.html."""

    field_template_name = "includes/field.html"
