"""A small OpenID Connect provider over real HTTP that a test can make misbehave.

The sandbox identity provider (``sandbox_idp``) is the well-behaved one that people use; this one
exists so a test can hand the portal a tampered ID token (another key, another audience or issuer,
expired, a wrong nonce) through the real token endpoint, and see the portal refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey

CLIENT_ID = "govportal-test"
CLIENT_SECRET = "test-provider-secret-0123456789"  # noqa: S105
ACR = "urn:test:acr:high"


@dataclass
class Grant:
    params: dict[str, str]
    claims: dict[str, Any]
    tamper: Callable[[dict[str, Any]], None] | None
    sign_with: ECKey | None
    used: bool = False


@dataclass
class TestProvider:
    __test__ = False  # not a test class: a provider for tests
    issuer: str = ""
    key: ECKey = field(
        default_factory=lambda: ECKey.generate_key("P-256", parameters={"kid": "good", "alg": "ES256", "use": "sig"})
    )
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: int = 0

    def settings(self, *, acr: list[str] | None = None, provider_id: str = "national") -> dict[str, Any]:
        """``SOCIALACCOUNT_PROVIDERS`` pointing allauth at this provider."""
        app = {
            "provider_id": provider_id,
            "name": "Test ID",
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "settings": {
                "server_url": self.issuer,
                "oauth_pkce_enabled": True,
                "scope": ["openid", "profile"],
                "auth_params": {"acr_values": " ".join(acr if acr is not None else [ACR])},
                "acr_values": acr if acr is not None else [ACR],
                "id_claim": "upn",
            },
        }
        return {
            "openid_connect": {
                "provider_class": "govportal.accounts.national_oidc.provider.NationalOIDCProvider",
                "APPS": [app],
                "OAUTH_PKCE_ENABLED": True,
            }
        }

    def approve(
        self,
        authorize_url: str,
        *,
        national_id: str,
        name: str = "زينب حسن علي",
        sub: str | None = None,
        acr: str = ACR,
        tamper: Callable[[dict[str, Any]], None] | None = None,
        sign_with: ECKey | None = None,
    ) -> dict[str, str]:
        """What the provider does when the person signs in: a code for the callback. Returns the
        callback's query (``code`` and ``state``)."""
        params = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
        assert authorize_url.startswith(f"{self.issuer}/authorize?")
        assert params["code_challenge_method"] == "S256" and params["code_challenge"]
        claims = {"sub": sub or f"sub-{national_id}", "upn": national_id, "name": name, "acr": acr}
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(params=params, claims=claims, tamper=tamper, sign_with=sign_with)
        return {"code": code, "state": params["state"]}

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            "nonce": grant.params.get("nonce"),
            **grant.claims,
        }
        if grant.tamper:
            grant.tamper(claims)
        key = grant.sign_with or self.key
        return jwt.encode({"alg": "ES256", "kid": "good"}, claims, key)

    # --- HTTP -----------------------------------------------------------------------------------

    def answer(self, method: str, path: str, form: dict[str, str], headers: Any) -> tuple[int, dict[str, Any]]:
        if path == "/.well-known/openid-configuration":
            return 200, {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        if path == "/jwks":
            return 200, {"keys": [self.key.as_dict(private=False)]}
        if path == "/userinfo":
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            grant = next((g for g in self.grants.values() if g.params.get("access_token") == token), None)
            return (
                (200, {k: v for k, v in grant.claims.items() if k != "acr"})
                if grant
                else (401, {"error": "invalid_token"})
            )
        if path == "/token" and method == "POST":
            self.token_requests += 1
            grant = self.grants.get(form.get("code", ""))
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return 401, {"error": "invalid_client"}
            if grant is None or grant.used:
                return 400, {"error": "invalid_grant"}
            grant.used = True
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant.params["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
            grant.params["access_token"] = secrets.token_urlsafe(16)
            return 200, {
                "access_token": grant.params["access_token"],
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            }
        return 404, {"error": "not_found"}


@contextmanager
def running_provider() -> Iterator[TestProvider]:
    provider = TestProvider()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = {key: values[0] for key, values in parse_qs(body).items()}
            status, data = provider.answer(method, urlsplit(self.path).path, form, self.headers)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
