from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from sandbox_idp.models import Identity, national_id_validator


class SignInForm(forms.Form):
    """National ID number and password; on success ``identity`` is the person signed in."""

    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=12,
        validators=[national_id_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "dir": "ltr"}),
        help_text=_("12 digits, as on the national card."),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    identity: Identity

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        found = Identity.objects.filter(national_id=data["national_id"]).first()
        if found is None:
            make_password(data["password"])  # take as long as a real check: no hint that the ID is unknown
        if found is None or not found.check_password(data["password"]):
            raise forms.ValidationError(_("The national ID number or the password is wrong."), code="wrong")
        self.identity = found
        return data
