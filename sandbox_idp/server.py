"""The OpenID Connect machinery, on authlib's server: the authorization code grant with PKCE (S256
only, required), ID tokens signed ES256 with the current rotating key, RP-initiated logout.

The issuer is not configured: it is ``<scheme>://<host>/sandbox-idp`` of the request being answered,
so a test's live server on a random port and ``make run`` both work without settings.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator, ResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.grants.util import create_half_hash, is_openid_scope
from authlib.oidc.rpinitiated import EndSessionEndpoint
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox_idp.keys import ALGORITHM, keyset_all, private_key, signing_key_current
from sandbox_idp.models import (
    ACCESS_TOKEN_SECONDS,
    ACR_SUBSTANTIAL,
    SCOPES_SUPPORTED,
    AccessToken,
    AuthorizationCode,
    Client,
    Identity,
)

ID_TOKEN_SECONDS = 300


def issuer_for(request: HttpRequest) -> str:
    """``<scheme>://<host>/sandbox-idp``, from the request being answered."""
    discovery = reverse("sandbox_idp:discovery")
    return request.build_absolute_uri(discovery).removesuffix("/.well-known/openid-configuration")


class SandboxOAuth2Request(DjangoOAuth2Request):
    """authlib's view of a Django request, plus the issuer and what the login page decided."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.issuer = issuer_for(request)
        self.acr = ACR_SUBSTANTIAL
        self.auth_time: int | None = None


class RequiredS256(CodeChallenge):
    """PKCE is required of every client, with S256 only (``plain`` and a missing method are refused)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is supported.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    def validate_authorization_request(self) -> str:
        redirect_uri = super().validate_authorization_request()
        if not is_openid_scope(self.request.payload.scope):
            raise InvalidScopeError("The scope must contain openid.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: SandboxOAuth2Request) -> None:
        data = request.payload.data
        auth_time = request.auth_time or int(time.time())
        AuthorizationCode.objects.create(
            code=code,
            client=request.client,
            identity=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce") or "",
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            acr=request.acr,
            auth_time=dt.datetime.fromtimestamp(auth_time, tz=dt.UTC),
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        """The unused, unexpired code, locked until the token is issued (the token view runs in a
        transaction), so that two requests racing with one code cannot both succeed. A code
        presented a second time revokes the access token its first use gave (RFC 6749 §4.1.2)."""
        found = AuthorizationCode.objects.select_for_update().filter(code=code, client=client).first()
        if found is None:
            return None
        if found.used_at is not None:
            AccessToken.objects.filter(code=found).update(revoked=True)
            return None
        return None if found.is_expired() else found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        # Kept, marked used, so that a replay is recognised as one.
        authorization_code.used_at = timezone.now()
        authorization_code.save(update_fields=["used_at"])

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Identity:
        return authorization_code.identity


class IdToken(OpenIDCode):
    """Signs the ID token with the current key (rotating it when it is due), ``kid`` in the header."""

    def exists_nonce(self, nonce: str, request: SandboxOAuth2Request) -> bool:
        return AuthorizationCode.objects.filter(client__client_id=request.payload.client_id, nonce=nonce).exists()

    def generate_user_info(self, user: Identity, scope: str) -> dict[str, Any]:
        return user.claims()

    def encode_id_token(self, token: dict[str, Any], request: SandboxOAuth2Request) -> str:
        now = int(time.time())
        code: AuthorizationCode = request.authorization_code
        claims: dict[str, Any] = {
            "iss": request.issuer,
            "aud": request.client.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_SECONDS,
            "auth_time": code.get_auth_time(),
            "acr": code.get_acr(),
            "amr": code.get_amr(),
            **self.generate_user_info(request.user, token["scope"]),
        }
        if code.nonce:
            claims["nonce"] = code.nonce
        if at_hash := create_half_hash(token["access_token"], ALGORITHM):
            claims["at_hash"] = at_hash.decode()
        key = signing_key_current()
        return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, private_key(key), [ALGORITHM])


class EndSession(EndSessionEndpoint):
    """RP-initiated logout. A registered post_logout_redirect_uri is enough to be sent back (with or
    without id_token_hint): a real provider would ask the person to confirm a logout that comes
    without one (RP-Initiated Logout §6); the sandbox need not."""

    def get_server_jwks(self) -> KeySet:
        return keyset_all()

    def get_algorithms(self) -> list[str]:
        return [ALGORITHM]

    def _is_valid_post_logout_redirect_uri(self, client: Client, post_logout_redirect_uri: str) -> bool:
        # authlib's check is an exact match; ours adds the loopback rule of development.
        return client.check_post_logout_redirect_uri(post_logout_redirect_uri)

    def is_post_logout_redirect_uri_legitimate(self, request: Any, uri: str, client: Client, hint: Any) -> bool:
        return True

    def end_session(self, end_session_request: Any) -> None:
        # The view clears the provider's own cookie on the response; nothing is kept server side.
        pass


class SandboxServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(Client, AccessToken)

    def load_config(self, config: dict[str, Any]) -> None:
        super().load_config({"token_expires_in": {"authorization_code": ACCESS_TOKEN_SECONDS}})
        self.scopes_supported = list(SCOPES_SUPPORTED)

    def create_oauth2_request(self, request: HttpRequest) -> SandboxOAuth2Request:
        return SandboxOAuth2Request(request)

    def save_token(self, token: dict[str, Any], request: SandboxOAuth2Request) -> AccessToken:
        return AccessToken.objects.create(
            access_token=token["access_token"],
            client=request.client,
            identity=request.user,
            code=request.authorization_code,
            scope=token["scope"],
            expires_in=token["expires_in"],
        )

    def create_token_response(self, request: Any = None) -> Any:
        with transaction.atomic():  # the code's row lock lasts until the token is saved
            return super().create_token_response(request)


server = SandboxServer()
server.register_grant(CodeGrant, [RequiredS256(required=True), IdToken(require_nonce=False)])
server.register_endpoint(EndSession())

require_token = ResourceProtector()
require_token.register_token_validator(BearerTokenValidator(AccessToken))
