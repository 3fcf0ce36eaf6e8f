"""Signing keys rotate by age and on demand; the JWKS keeps the previous key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import pytest
import requests
from django.core.management import call_command

from sandbox_idp.keys import jwks_public, signing_key_current, signing_key_rotate
from sandbox_idp.models import SigningKey
from tests.sandbox_idp.conftest import RelyingParty
from tests.sandbox_idp.test_flow import verified


def test_a_token_signed_before_a_rotation_still_verifies_and_the_new_key_signs_new_tokens(rp: RelyingParty) -> None:
    before = rp.exchange(rp.sign_in()).json()["id_token"]
    old_kid = jwt.get_unverified_header(before)["kid"]

    call_command("sandbox_idp_rotate_keys", stdout=None)
    after = rp.exchange(rp.sign_in()).json()["id_token"]

    new_kid = jwt.get_unverified_header(after)["kid"]
    assert new_kid != old_kid
    assert new_kid == SigningKey.objects.order_by("-generation")[0].kid
    published = {key["kid"] for key in requests.get(rp.metadata["jwks_uri"], timeout=10).json()["keys"]}
    assert published == {old_kid, new_kid}
    assert verified(rp, before)["upn"] == verified(rp, after)["upn"]


def test_the_jwks_serves_only_the_current_and_the_previous_key(db: None) -> None:
    first, second, third = signing_key_rotate(), signing_key_rotate(), signing_key_rotate()

    assert [key["kid"] for key in jwks_public()["keys"]] == [third.kid, second.kid]
    assert first.kid not in str(jwks_public())


@pytest.mark.parametrize(("age_days", "rotates"), [(6, False), (7, True)])
def test_signing_rotates_when_the_newest_key_is_older_than_the_setting(
    db: None, settings: Any, age_days: int, rotates: bool
) -> None:
    settings.IDENTITY_SANDBOX_KEY_DAYS = 7
    old = signing_key_rotate()
    SigningKey.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=age_days, seconds=1))

    current = signing_key_current()

    assert (current.pk != old.pk) is rotates
    assert SigningKey.objects.count() == (2 if rotates else 1)
