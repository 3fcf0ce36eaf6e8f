"""What the portal requires of a national sign-in, once allauth has verified the ID token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.models import SocialLogin
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import normalize_digits

# What the person is told when a sign-in is refused; the log keeps the exact reason.
REFUSED = {
    "nonce": _("The answer of the national sign-in service did not belong to this sign-in. Start again."),
    "acr": _(
        "The national sign-in service confirmed your identity at a lower level of assurance than the portal "
        "requires. Sign in again with your full national credentials."
    ),
    "national_id": _("The national sign-in service did not give a valid national ID number. Try again later."),
}


class ClaimsRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(REFUSED[self.reason])


@dataclass(frozen=True)
class NationalIdentity:
    national_id: str
    full_name: str
    acr: str


def national_identity(sociallogin: SocialLogin) -> NationalIdentity:
    """The verified national identity of a sign-in, or ``ClaimsRefused``.

    The ID token's ``nonce`` must be the one this sign-in sent (kept in allauth's state), its ``acr``
    one of the levels the provider is configured to require, and its national ID claim 12 digits.
    """
    extra: dict[str, Any] = sociallogin.account.extra_data or {}
    id_token: dict[str, Any] = extra.get("id_token") or {}
    userinfo: dict[str, Any] = extra.get("userinfo") or {}
    settings: dict[str, Any] = sociallogin.provider.app.settings
    sent = str((sociallogin.state or {}).get("nonce") or "")
    if not sent or not hmac.compare_digest(sent, str(id_token.get("nonce") or "")):
        raise ClaimsRefused("nonce")
    required = settings.get("acr_values") or []
    acr = str(id_token.get("acr") or "")
    if required and acr not in required:
        raise ClaimsRefused("acr")
    claim = settings.get("id_claim", "upn")
    national_id = normalize_digits(str(userinfo.get(claim) or id_token.get(claim) or ""))
    if len(national_id) != 12 or not national_id.isdigit():
        raise ClaimsRefused("national_id")
    name = str(userinfo.get("name") or id_token.get("name") or "").strip()
    if not name:
        given = userinfo.get("given_name") or id_token.get("given_name") or ""
        family = userinfo.get("family_name") or id_token.get("family_name") or ""
        name = f"{given} {family}".strip()
    return NationalIdentity(national_id=national_id, full_name=name[:200], acr=acr)
