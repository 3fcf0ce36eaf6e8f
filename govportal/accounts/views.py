"""The one account page of our own: joining a national sign-in to the e-mail account that holds its
national ID (allauth's pages do the rest)."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from govportal.accounts.adapters import (
    NATIONAL_LINK_SESSION_KEY,
    NATIONAL_PROVIDER_SESSION_KEY,
    national_link_pending,
)
from govportal.audit.services import audit_record
from govportal.web.ratelimit import rate_limited

LINK_ATTEMPTS = 5  # per account and address, in LINK_WINDOW seconds
LINK_WINDOW = 900


class NationalLinkForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password of that account"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter the password of the account.")},
    )


@require_http_methods(["GET", "POST"])
def national_link(request: HttpRequest) -> HttpResponse:
    """Confirm the password of the account that holds this national ID, once; then the national
    identity signs that account in from now on."""
    pending = national_link_pending(request)
    if pending is None:
        messages.info(request, _("Your national sign-in has expired. Sign in again."))
        return redirect("account_login")
    sociallogin, user = pending
    form = NationalLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, scope=f"national-link:{user.pk}", limit=LINK_ATTEMPTS, window=LINK_WINDOW):
            form.add_error(None, _("Too many attempts. For your security, try again in 15 minutes."))
            status = 429
        elif form.is_valid() and user.check_password(form.cleaned_data["password"]):
            del request.session[NATIONAL_LINK_SESSION_KEY]
            sociallogin.connect(request, user)  # audited as national_identity_link (receivers)
            request.session[NATIONAL_PROVIDER_SESSION_KEY] = sociallogin.account.provider
            return perform_login(
                request, user, email_verification="none", redirect_url=sociallogin.get_redirect_url(request)
            )
        else:
            if form.is_valid():
                audit_record(action="national_identity_link_fail", target=user, request=request)
                form.add_error("password", _("This is not the password of that account."))
            status = 400
    profile = user.citizen_profile
    return render(
        request,
        "account/national_link.html",
        {"form": form, "masked_national_id": profile.masked_national_id, "masked_email": _mask_email(user.email or "")},
        status=status,
    )


def _mask_email(email: str) -> str:
    """Enough of the address for its owner to recognise it: "c•••@example.com"."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""
