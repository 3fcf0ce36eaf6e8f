import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy

from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.national_oidc.claims import ClaimsRefused, national_identity
from govportal.accounts.services import citizen_register_national, national_signin
from govportal.audit.services import audit_record
from govportal.tasks import enqueue


@dataclass(frozen=True)
class PortalSite:
    """What allauth's e-mails call the site ("Hello from …", "… on <domain>"). Without
    django.contrib.sites allauth has none here, and the e-mails greeted from an empty name."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    """The portal's name in the active language, and the host of its public address."""
    return PortalSite(name=gettext("Iraqi Government Portal"), domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render now (in the reader's language), deliver from a Celery worker after commit."""
        message = self.render_mail(template_prefix, email, {**context, "current_site": portal_site()})
        alternatives = getattr(message, "alternatives", [])
        html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
        subject, body, to, from_email = (
            str(message.subject),
            str(message.body),
            list(message.to),
            str(message.from_email),
        )
        enqueue(
            "govportal.accounts.tasks.email_send",
            subject=subject,
            body=body,
            html=str(html),
            to=to,
            from_email=from_email,
        )

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """For the first TOTP set-up only, a password typed in the last few minutes counts.

        allauth otherwise asks a staff member who has just signed in, and is being made to
        set up MFA, for their password a second time. Any later change to MFA asks again.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        if request is None or not request.user.is_authenticated:
            return True
        first_setup = request.resolver_match is not None and request.resolver_match.url_name == "mfa_activate_totp"
        if not first_setup or Authenticator.objects.filter(user=request.user).exists():
            return True  # changing existing MFA always asks for the password again
        records = get_authentication_records(request, request.user)
        fresh = [r for r in records if time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT]
        return not fresh

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        """After signing out here, a nationally signed-in person is signed out at the provider too."""
        url = resolve_url(super().get_logout_redirect_url(request))
        provider_id = request.session.get(NATIONAL_PROVIDER_SESSION_KEY)
        if provider_id:
            return national_logout_url(request, provider_id, after=request.build_absolute_uri(url)) or url
        return url


# --- National sign-in ------------------------------------------------------------------------------

NATIONAL_PROVIDER_SESSION_KEY = "govportal_national_provider"  # who signed this session in, for sign-out


def national_refusal(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    """A national sign-in refused: what happened, and the e-mail sign-in still offered."""
    return render(request, "socialaccount/authentication_error.html", {"message": message}, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The rules of a national sign-in, once allauth has verified the ID token.

    - the token must answer this sign-in (``nonce``) at the required assurance (``acr``), with a
      national ID number; otherwise nothing is stored and the person is told why;
    - a known national identity signs its account in (staff still give their TOTP code: allauth's
      MFA stage runs for every sign-in);
    - a national ID that an e-mail account already holds never gets a second account: the person
      confirms that account's password once to link the two (``national_link`` view);
    - otherwise the first sign-in creates the citizen, with the national ID verified.
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = sociallogin.account.provider
        try:
            identity = national_identity(sociallogin)
        except ClaimsRefused as refused:
            audit_record(
                action="national_signin_refuse", data={"provider": provider, "reason": refused.reason}, request=request
            )
            raise ImmediateHttpResponse(national_refusal(request, refused.message)) from refused
        process = sociallogin.state.get("process")
        if sociallogin.is_existing:
            if process != AuthProcess.CONNECT:
                national_signin(user=sociallogin.user, national_id=identity.national_id, request=request)
                request.session[NATIONAL_PROVIDER_SESSION_KEY] = provider
            return  # connecting an identity already linked: allauth answers (to this account or another)
        holder = CitizenProfile.objects.filter(national_id=identity.national_id).select_related("user").first()
        if process == AuthProcess.CONNECT:
            user = request.user
            own = CitizenProfile.objects.filter(user_id=request.user.pk or 0).first()
            if (holder is not None and holder.user_id != user.pk) or (
                own is not None and own.national_id != identity.national_id
            ):
                raise ImmediateHttpResponse(national_refusal(request, str(ANOTHER_ACCOUNT), status=409))
            return  # allauth asked for the password and links; the link is recorded on social_account_added
        if holder is not None:
            national_link_stash(request, sociallogin, holder.user)
            raise ImmediateHttpResponse(redirect("national_link"))

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True  # the platform vouches for the person: no form to fill

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        user.email = None  # the platform gives no e-mail address; "" would collide with the next one
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        identity = national_identity(sociallogin)
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            citizen_register_national(
                user=user,
                full_name=identity.full_name,
                national_id=identity.national_id,
                provider=sociallogin.account.provider,
                request=request,
            )
        request.session[NATIONAL_PROVIDER_SESSION_KEY] = sociallogin.account.provider
        return user


ANOTHER_ACCOUNT = gettext_lazy(
    "This national identity has a different national ID number from the one on your account, or another "
    "account holds it. Nothing was linked. If this is wrong, contact the portal's help desk."
)

# A national sign-in waiting for the password of the e-mail account that holds its national ID.
NATIONAL_LINK_SESSION_KEY = "govportal_national_link"
NATIONAL_LINK_SECONDS = 600


def national_link_stash(request: HttpRequest, sociallogin: SocialLogin, user: User) -> None:
    request.session[NATIONAL_LINK_SESSION_KEY] = {
        "sociallogin": sociallogin.serialize(),
        "user": str(user.pk),
        "at": time.time(),
    }


def national_link_pending(request: HttpRequest) -> tuple[SocialLogin, User] | None:
    """The national sign-in waiting to be linked, and the account it would join (None when expired)."""
    pending = request.session.get(NATIONAL_LINK_SESSION_KEY)
    if not pending or time.time() - pending.get("at", 0) > NATIONAL_LINK_SECONDS:
        request.session.pop(NATIONAL_LINK_SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return SocialLogin.deserialize(pending["sociallogin"]), user


def national_logout_url(request: HttpRequest, provider_id: str, after: str) -> str | None:
    """The provider's RP-initiated logout address (OpenID Connect RP-Initiated Logout 1.0), when it
    has one and answers; the person comes back to ``after``."""
    from govportal.accounts.national_oidc.views import NationalOIDCAdapter

    try:
        adapter = NationalOIDCAdapter(request, provider_id)
        endpoint = adapter.openid_config.get("end_session_endpoint")
        client_id = adapter.get_provider().app.client_id
    except (requests.RequestException, ValueError, SocialApp.DoesNotExist):
        return None
    if not endpoint:
        return None
    return f"{endpoint}?{urlencode({'client_id': client_id, 'post_logout_redirect_uri': after})}"
