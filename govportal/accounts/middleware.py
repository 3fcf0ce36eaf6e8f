from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from govportal.accounts.selectors import needs_mfa_setup

# What a staff member without MFA may still reach: the MFA set-up pages, sign-out,
# the language switch and the health check.
_ALLOWED_WITHOUT_MFA = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "set_language",
    "set_digits",
    "healthz",
}


MFA_REQUIRED_MESSAGE = _(
    "Staff accounts must use two-factor authentication. Set it up with an authenticator app to continue."
)


class StaffMfaRequiredMiddleware:
    """Every staff member must have TOTP: until they set it up, every other page sends them there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "user", None) is not None and needs_mfa_setup(request.user):
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in _ALLOWED_WITHOUT_MFA:
                messages.warning(request, MFA_REQUIRED_MESSAGE)
                return redirect("mfa_activate_totp")
        return self.get_response(request)
