"""Audit events for sign-ins and MFA changes, which happen inside Django and allauth.

These receivers only record; they hold no rules.
"""

from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.socialaccount import signals as socialaccount_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from govportal.accounts.national_oidc.claims import national_identity
from govportal.accounts.services import national_identity_link
from govportal.audit.services import audit_record


@receiver(auth_signals.user_logged_in)
def _login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action="user_login", actor=user, target=user, request=request)


@receiver(auth_signals.user_logged_out)
def _logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="user_logout", actor=user, target=user, request=request)


@receiver(auth_signals.user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_record(action="user_login_fail", data={"email": attempted}, request=request)


def _mfa_event(action: str) -> Any:
    def handler(sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
        kind = getattr(authenticator, "type", "") if authenticator is not None else ""
        audit_record(action=action, actor=user, target=user, data={"type": kind}, request=request)

    return handler


_mfa_added = _mfa_event("mfa_add")
_mfa_removed = _mfa_event("mfa_remove")
_mfa_reset = _mfa_event("mfa_reset")
mfa_signals.authenticator_added.connect(_mfa_added, dispatch_uid="audit_mfa_add")
mfa_signals.authenticator_removed.connect(_mfa_removed, dispatch_uid="audit_mfa_remove")
mfa_signals.authenticator_reset.connect(_mfa_reset, dispatch_uid="audit_mfa_reset")
_mfa_failed = _mfa_event("mfa_fail")
mfa_signals.authentication_failed.connect(_mfa_failed, dispatch_uid="audit_mfa_fail")


@receiver(socialaccount_signals.social_account_added)
def _national_identity_added(sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    """An existing account was joined to a national identity (its password confirmed first)."""
    identity = national_identity(sociallogin)
    national_identity_link(
        user=sociallogin.user, national_id=identity.national_id, provider=sociallogin.account.provider, request=request
    )
