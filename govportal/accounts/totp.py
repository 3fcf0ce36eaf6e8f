"""A TOTP code is accepted once, for as long as it could be accepted at all.

allauth accepts the codes of the neighbouring periods too (``MFA_TOTP_TOLERANCE``: a phone's clock
a little off, a code typed slowly), so a code stays valid for three periods, 90 s; but it remembers
a used code for one period only, 30 s. A code seen over someone's shoulder could then be entered
again 30 to 60 s after its owner used it. RFC 6238 (section 5.2) asks the verifier never to accept
a code twice: ours remembers it for the whole time it is valid.
"""

from __future__ import annotations

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache


def seconds_a_code_is_valid() -> int:
    return app_settings.TOTP_PERIOD * (2 * app_settings.TOTP_TOLERANCE + 1)


def _mark_code_used(self: TOTP, code: str) -> bool:
    """False when the code was used already (allauth's key: its "code already used" checks agree)."""
    return bool(cache.add(self._get_used_cache_key(code), "y", timeout=seconds_a_code_is_valid()))


def remember_used_codes_while_valid() -> None:
    """Called once from ``AccountsConfig.ready``: replaces allauth's one-period memory of used codes."""
    TOTP._mark_code_used = _mark_code_used
