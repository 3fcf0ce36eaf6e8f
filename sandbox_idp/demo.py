"""The sandbox provider's demo world (idempotent): the portal registered as a client, and test people.

``seed_demo`` calls :func:`sandbox_idp_demo` and lists what it returns under ``identities``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from sandbox_idp.keys import signing_key_current
from sandbox_idp.models import Client, Identity

PORTAL_CLIENT_ID = "govportal"
# allauth's openid_connect provider: /accounts/oidc/<provider id>/login/callback/ (Ur, then KRDPass).
PORTAL_CALLBACK_PATHS = ("/accounts/oidc/national/login/callback/", "/accounts/oidc/national-2/login/callback/")


@dataclass(frozen=True)
class DemoIdentity:
    national_id: str
    full_name: str
    given_name: str
    family_name: str
    birth_date: dt.date
    governorate: str
    locale: str = "ar-IQ"


DEMO_IDENTITIES = (
    # The demo citizen of seed_demo, who owns the demo housing loan: same national ID, name and birth date.
    DemoIdentity("199012345678", "أحمد كريم العبيدي", "أحمد", "العبيدي", dt.date(1990, 3, 14), "بغداد"),
    # No portal account yet: signing in with the national identity creates one. KRDPass (Kurdistan Region).
    DemoIdentity("198507220143", "هيوا جلال رشيد", "هيوا", "رشيد", dt.date(1985, 7, 22), "أربيل", "ckb-IQ"),
    DemoIdentity("199511030527", "زهراء عبد الحسين الساعدي", "زهراء", "الساعدي", dt.date(1995, 11, 3), "البصرة"),
)


@transaction.atomic
def sandbox_idp_demo(site_url: str, password: str) -> list[dict[str, Any]]:
    """Register the portal at ``site_url`` as the client ``govportal`` and make the test identities,
    each with ``password``. Running it again updates them in place (addresses, names, passwords)."""
    secret = settings.IDENTITY_SANDBOX_CLIENT_SECRET
    if not secret:
        raise ImproperlyConfigured("IDENTITY_SANDBOX_CLIENT_SECRET must be set to register the portal's client.")
    site_url = site_url.rstrip("/")
    Client.objects.update_or_create(
        client_id=PORTAL_CLIENT_ID,
        defaults={
            "client_secret": secret,
            "name": "govportal",
            "redirect_uris": [f"{site_url}{path}" for path in PORTAL_CALLBACK_PATHS],
            "post_logout_redirect_uris": [f"{site_url}/"],
        },
    )
    signing_key_current()
    made = []
    for person in DEMO_IDENTITIES:
        identity = Identity.objects.filter(national_id=person.national_id).first() or Identity(
            national_id=person.national_id
        )
        identity.full_name, identity.given_name, identity.family_name = (
            person.full_name,
            person.given_name,
            person.family_name,
        )
        identity.birth_date, identity.governorate, identity.locale = (
            person.birth_date,
            person.governorate,
            person.locale,
        )
        identity.set_password(password)
        identity.save()
        made.append(
            {
                "national_id": person.national_id,
                "name": person.full_name,
                "password": password,
                "birth_date": person.birth_date.isoformat(),
                "governorate": person.governorate,
            }
        )
    return made


def demo_identities(password: str) -> list[dict[str, Any]]:
    """For ``seed_demo``: the portal registered at the sandbox for its own address, and the test people."""
    return sandbox_idp_demo(settings.SITE_URL, password)
