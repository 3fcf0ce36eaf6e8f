import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.translation import gettext

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
