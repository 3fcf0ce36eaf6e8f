from django import forms
from django.utils.translation import gettext_lazy as _


class LookupForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=64,
        help_text=_("As printed on the document, for example NDC-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )
    issued_on = forms.DateField(
        label=_("Date of issue"),
        help_text=_("As printed on the document."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
