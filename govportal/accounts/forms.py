from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.services import citizen_register
from govportal.accounts.validators import normalize_digits, validate_iraqi_mobile, validate_national_id


class CitizenSignupForm(forms.Form):
    """Extra fields asked of citizens at sign-up (allauth adds e-mail and password)."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=20,
        help_text=_("The 12-digit number on your unified national card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("For example 07701234567."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["national_id"])
        validate_national_id(value)
        if CitizenProfile.objects.filter(national_id=value).exists():
            raise forms.ValidationError(
                _("An account with this national ID number already exists. Sign in or reset your password."),
                code="national_id_taken",
            )
        return value

    def clean_phone(self) -> str:
        value = normalize_digits(self.cleaned_data["phone"])
        validate_iraqi_mobile(value)
        return value

    def signup(self, request: HttpRequest, user: User) -> None:
        data: dict[str, Any] = self.cleaned_data
        citizen_register(
            user=user,
            full_name=data["full_name"],
            national_id=data["national_id"],
            phone=data["phone"],
            request=request,
        )
