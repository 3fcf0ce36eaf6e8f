from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.services import citizen_register, citizen_signup_duplicate
from govportal.accounts.validators import normalize_digits, validate_iraqi_mobile, validate_national_id


class CitizenSignupForm(SignupForm):
    """A citizen's sign-up (ACCOUNT_FORMS["signup"]): allauth's e-mail and password, with their name,
    national ID number and mobile phone; each error says what to do, beside its field.

    A national ID number that already has an account gets the answer a new one gets ("check your
    e-mail"), creates nothing, and its account's owner is told by e-mail: as allauth does for an
    e-mail address already in use, so that nobody learns from the page who has an account.
    """

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name.")},
    )
    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=20,
        help_text=_("The 12-digit number on your unified national card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Enter your national ID number.")},
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("For example 07701234567."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter your mobile phone number.")},
    )
    field_order = ["email", "full_name", "national_id", "phone", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.national_id_owner: User | None = None
        specific = {
            "email": {
                "required": _("Enter your e-mail address."),
                "invalid": _("Enter an e-mail address in the right form, like name@example.com."),
            },
            "password1": {"required": _("Choose a password.")},
            "password2": {"required": _("Type the password again.")},
        }
        for name, errors in specific.items():
            self.fields[name].error_messages.update(errors)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)  # the label says it; a placeholder is no label

    def clean_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["national_id"])
        validate_national_id(value)
        profile = CitizenProfile.objects.filter(national_id=value).select_related("user").first()
        if profile is not None:
            self.national_id_owner = profile.user  # answered in try_save, never on the page
        return value

    def clean_phone(self) -> str:
        value = normalize_digits(self.cleaned_data["phone"])
        validate_iraqi_mobile(value)
        return value

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponseBase | None]:
        owner = self.national_id_owner
        if owner is None:
            return super().try_save(request)
        make_password(self.cleaned_data["password1"])  # the time a real sign-up spends, so time tells nothing
        email = self.cleaned_data["email"]
        citizen_signup_duplicate(owner=owner, email=email, request=request)
        adapter = get_adapter(request)
        if self.account_already_exists and email != (owner.email or "").lower():
            adapter.send_account_already_exists_mail(email)  # what allauth tells another account's owner
        adapter.add_message(
            request,
            messages.INFO,
            "account/messages/email_confirmation_sent.txt",
            {"email": email, "login": False, "signup": True},
        )
        return None, adapter.respond_email_verification_sent(request, None)

    def signup(self, request: HttpRequest, user: User) -> None:
        data: dict[str, Any] = self.cleaned_data
        citizen_register(
            user=user,
            full_name=data["full_name"],
            national_id=data["national_id"],
            phone=data["phone"],
            request=request,
        )


# --- TOTP codes -------------------------------------------------------------------------------------


class UsedCodeMixin:
    """allauth refuses a TOTP code that was accepted a moment ago (it remembers used codes for one
    period) with the same "incorrect code" as a wrong one. Tell the person what happened instead."""

    user: Any

    def clean_code(self) -> str:
        try:
            return super().clean_code()  # type: ignore[misc]
        except forms.ValidationError as error:
            code = self.cleaned_data.get("code", "")  # type: ignore[attr-defined]
            if error.code == "incorrect_code" and self._is_current_code(code):
                raise forms.ValidationError(
                    _("This code was just used. Wait for the next code in your app and enter it."), code="code_used"
                ) from error
            raise

    def _is_current_code(self, code: str) -> bool:
        """A code of this moment for one of the user's authenticators: refused, so it was used already."""
        totps = Authenticator.objects.filter(user=self.user, type=Authenticator.Type.TOTP)
        return any(validate_totp_code(decrypt(totp.data["secret"]), code) for totp in totps)


class MfaAuthenticateForm(UsedCodeMixin, AuthenticateForm):
    """The code asked after the password at sign-in (MFA_FORMS["authenticate"])."""


class MfaReauthenticateForm(UsedCodeMixin, ReauthenticateForm):
    """The code asked again before changing sensitive settings (MFA_FORMS["reauthenticate"])."""
