"""A relying party's view of the sandbox identity provider: real HTTP against the live server."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from sandbox_idp.models import Client, Identity

CLIENT_ID = "test-rp"
SECRET = "test-rp-secret-0123456789"  # noqa: S105
PASSWORD = "sandbox-pass-2468"  # noqa: S105
NATIONAL_ID = "199012345678"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(location).query).items()}


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the sign-in page has a form with a CSRF token"
    return found.group(1)


@dataclass
class RelyingParty:
    """What a client of the provider does, step by step, in one browser (a requests session)."""

    base: str
    browser: requests.Session = field(default_factory=requests.Session)
    metadata: dict[str, Any] = field(default_factory=dict)
    verifier: str = ""
    nonce: str = ""
    state: str = ""

    @property
    def redirect_uri(self) -> str:
        return f"{self.base}/callback/"

    def discover(self) -> dict[str, Any]:
        response = requests.get(f"{self.base}/sandbox-idp/.well-known/openid-configuration", timeout=10)
        assert response.status_code == 200
        self.metadata = response.json()
        return self.metadata

    def authorize_url(self, **overrides: str | None) -> str:
        self.verifier, challenge = pkce_pair()
        self.nonce, self.state = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **overrides,
        }
        endpoint = self.metadata.get("authorization_endpoint") or f"{self.base}/sandbox-idp/authorize"
        return f"{endpoint}?{urlencode({k: v for k, v in params.items() if v is not None})}"

    def open(self, url: str) -> requests.Response:
        return self.browser.get(url, allow_redirects=False, timeout=10)

    def press(self, url: str, action: str, national_id: str = "", password: str = "") -> requests.Response:
        """Submit the sign-in page at ``url`` with the button ``action``."""
        page = self.open(url)
        assert page.status_code == 200, page.text[:500]
        return self.browser.post(
            html.unescape(url),
            data={
                "csrfmiddlewaretoken": csrf_token(page.text),
                "national_id": national_id,
                "password": password,
                "action": action,
            },
            headers={"Referer": url},
            allow_redirects=False,
            timeout=10,
        )

    def sign_in(self, action: str = "sign_in", **overrides: str | None) -> str:
        """Through the sign-in page to the code the provider sends back."""
        answer = self.press(self.authorize_url(**overrides), action, NATIONAL_ID, PASSWORD)
        assert answer.status_code == 302, answer.text[:500]
        back = query_of(answer.headers["Location"])
        assert back["state"] == self.state
        return back["code"]

    def exchange(self, code: str, *, basic: bool = True, **overrides: str | None) -> requests.Response:
        data: dict[str, str | None] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
        }
        auth = None
        if basic:
            auth = (CLIENT_ID, SECRET)
        else:
            data |= {"client_id": CLIENT_ID, "client_secret": SECRET}
        data |= overrides
        endpoint = self.metadata.get("token_endpoint") or f"{self.base}/sandbox-idp/token"
        return requests.post(endpoint, data={k: v for k, v in data.items() if v is not None}, auth=auth, timeout=10)


@pytest.fixture
def person(transactional_db: Any) -> Identity:
    identity = Identity(
        national_id=NATIONAL_ID,
        full_name="أحمد كريم العبيدي",
        given_name="أحمد",
        family_name="العبيدي",
        birth_date=dt.date(1990, 3, 14),
        governorate="بغداد",
    )
    identity.set_password(PASSWORD)
    identity.save()
    return identity


@pytest.fixture
def rp(live_server: Any, person: Identity) -> RelyingParty:
    Client.objects.create(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        name="Test portal",
        redirect_uris=[f"{live_server.url}/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/"],
    )
    party = RelyingParty(base=live_server.url)
    party.browser.cookies.set("govportal_language", "en")  # page text is asserted in English
    party.discover()
    return party
