"""A TOTP code is accepted once for as long as it is valid (RFC 6238, section 5.2)."""

import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator

from tests.factories import UserFactory, totp_secret

pytestmark = pytest.mark.django_db

PERIOD = 30


@pytest.fixture
def clock(monkeypatch):
    """The time allauth and the cache read, moved by hand (both call time.time)."""
    now = {"t": (int(time.time()) // PERIOD) * PERIOD + 1.0}  # the first second of a period
    monkeypatch.setattr(time, "time", lambda: now["t"])
    return now


@pytest.mark.parametrize("later", [1, 31, 45, 59])
def test_a_used_code_is_refused_while_it_is_still_valid(clock, later):
    user = UserFactory(with_totp=True)
    code = pyotp.TOTP(totp_secret(user)).at(clock["t"])
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
    assert authenticator.validate_code(code)
    clock["t"] += later  # the next period: the code is still within the tolerance window
    assert not authenticator.validate_code(code)


def test_the_next_code_is_accepted_after_one_was_used(clock):
    user = UserFactory(with_totp=True)
    secret = totp_secret(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
    assert authenticator.validate_code(pyotp.TOTP(secret).at(clock["t"]))
    clock["t"] += PERIOD
    assert authenticator.validate_code(pyotp.TOTP(secret).at(clock["t"]))
