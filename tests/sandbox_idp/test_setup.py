"""Where the sandbox provider is mounted, what the demo makes, and which redirect addresses match."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from sandbox_idp.demo import sandbox_idp_demo
from sandbox_idp.models import Client, Identity, SigningKey, uri_is_registered

RESOLVE = """
import django
django.setup()
from django.urls import Resolver404, resolve
try:
    resolve("/sandbox-idp/.well-known/openid-configuration")
    print("200")
except Resolver404:
    print("404")
"""


@pytest.mark.parametrize(("switch", "status"), [("0", "404"), ("1", "200")])
def test_the_provider_answers_only_when_identity_sandbox_is_on(switch: str, status: str) -> None:
    """The URL configuration is read once at start-up, so each setting gets its own process (a path
    that resolves nowhere is what the portal answers with its 404 page)."""
    env = {**os.environ, "IDENTITY_SANDBOX": switch, "DJANGO_SETTINGS_MODULE": "govportal.settings"}
    done = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", RESOLVE],
        env=env,
        cwd=Path(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert done.stdout.strip().splitlines()[-1] == status


def test_demo_registers_the_portal_and_makes_the_people_idempotently(db: None, settings: Any) -> None:
    settings.IDENTITY_SANDBOX_CLIENT_SECRET = "demo-secret-0123456789"

    first = sandbox_idp_demo("http://127.0.0.1:8000/", "first-password")
    second = sandbox_idp_demo("http://portal.example", "second-password")

    client = Client.objects.get()
    assert client.client_id == "govportal" and client.client_secret == "demo-secret-0123456789"
    assert client.redirect_uris == [
        "http://portal.example/accounts/oidc/national/login/callback/",
        "http://portal.example/accounts/oidc/national-2/login/callback/",
    ]
    assert client.post_logout_redirect_uris == ["http://portal.example/"]
    assert Identity.objects.count() == len(first) == len(second) == 3
    assert SigningKey.objects.exists()
    borrower = next(person for person in second if person["national_id"] == "199012345678")
    assert borrower == {
        "national_id": "199012345678",
        "name": "أحمد كريم العبيدي",
        "password": "second-password",
        "birth_date": "1990-03-14",
        "governorate": "بغداد",
    }
    assert Identity.objects.get(national_id="199012345678").check_password("second-password")
    assert {"أربيل", "البصرة"} <= {person["governorate"] for person in second}


def test_the_demo_citizen_matches_the_portal_demo_world() -> None:
    """The identity who owns the demo loan must be the citizen seed_demo makes (same ID, name)."""
    portal_demo = (Path(django_settings.BASE_DIR) / "govportal/web/demo.py").read_text()

    assert '"national_id": "199012345678"' in portal_demo and '"أحمد كريم العبيدي"' in portal_demo
    assert "dt.date(1990, 3, 14)" in (Path(django_settings.BASE_DIR) / "housing_fund/demo.py").read_text()


@pytest.mark.parametrize(
    ("debug", "requested", "matches"),
    [
        (True, "http://127.0.0.1:8000/cb/", True),
        (True, "http://127.0.0.1:53117/cb/", True),
        (True, "http://localhost:41000/cb/", False),  # another host name is another address
        (True, "http://127.0.0.1:53117/cb/other/", False),
        (True, "http://127.0.0.1.evil.example:53117/cb/", False),
        (False, "http://127.0.0.1:8000/cb/", True),
        (False, "http://127.0.0.1:53117/cb/", False),
    ],
)
def test_a_loopback_redirect_uri_matches_any_port_only_in_debug(
    settings: Any, debug: bool, requested: str, matches: bool
) -> None:
    settings.DEBUG = debug

    assert uri_is_registered(requested, ["http://127.0.0.1:8000/cb/", "https://portal.example/cb/"]) is matches


def test_a_non_loopback_redirect_uri_matches_exactly_even_in_debug(settings: Any) -> None:
    settings.DEBUG = True

    assert not uri_is_registered("https://portal.example:8443/cb/", ["https://portal.example/cb/"])
