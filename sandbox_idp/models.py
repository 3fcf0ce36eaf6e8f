"""The sandbox identity provider's own records: its clients (relying parties), the people it knows,
its signing keys, and the codes and access tokens it hands out.

It is a sandbox: client secrets are kept as they are and private keys are stored unencrypted, which a
real provider would never do. Nothing here is a real person or a real credential.
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCOPES_SUPPORTED = ("openid", "profile")
ACR_SUBSTANTIAL = "urn:govportal:sandbox:acr:substantial"
ACR_LOW = "urn:govportal:sandbox:acr:low"
CODE_LIFETIME = dt.timedelta(seconds=60)
ACCESS_TOKEN_SECONDS = 600

national_id_validator = RegexValidator(r"^\d{12}\Z", _("A national ID number is 12 digits."))


def _loopback_any_port(registered: str, requested: str) -> bool:
    """Whether ``requested`` is ``registered`` on another port of the same loopback host.

    RFC 8252 §7.3 lets a provider accept any port on a loopback redirect URI, because the port of a
    local server is picked when it starts. We allow it only while DEBUG is on (development and the
    tests' live server on a random port), never in a deployed sandbox.
    """
    if not settings.DEBUG:
        return False
    want, got = urlsplit(registered), urlsplit(requested)
    return (
        want.scheme == got.scheme == "http"
        and want.hostname in ("127.0.0.1", "localhost")
        and want.hostname == got.hostname
        and (want.path, want.query) == (got.path, got.query)
        and not got.fragment
        and not got.username
    )


def uri_is_registered(requested: str, registered: list[str]) -> bool:
    """Exact match with one of ``registered`` (or, in development, the loopback rule above)."""
    return requested in registered or any(_loopback_any_port(uri, requested) for uri in registered)


class Client(models.Model):
    """A relying party registered with the sandbox provider (the portal is one)."""

    client_id = models.CharField(_("client ID"), max_length=80, unique=True)
    # Sandbox: the secret is kept as it is, so that a developer can read it in the admin.
    client_secret = models.CharField(_("client secret"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    redirect_uris = models.JSONField(_("redirect URIs"), default=list, blank=True)
    post_logout_redirect_uris = models.JSONField(_("post-logout redirect URIs"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["client_id"]

    def __str__(self) -> str:
        return self.client_id

    # --- what authlib asks of a client (authlib.oauth2.rfc6749.ClientMixin) ---

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # OpenID Connect requires redirect_uri in every request

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES_SUPPORTED)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return uri_is_registered(redirect_uri, self.redirect_uris)

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        return uri_is_registered(uri, self.post_logout_redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}


def _new_sub() -> str:
    return uuid.uuid4().hex


class Identity(models.Model):
    """A person the sandbox provider can vouch for: a test citizen with a national ID number."""

    sub = models.CharField(
        _("subject identifier"),
        max_length=64,
        unique=True,
        default=_new_sub,
        editable=False,
        help_text=_("Stable, opaque identifier."),
    )
    national_id = models.CharField(
        _("national ID number"), max_length=12, unique=True, validators=[national_id_validator]
    )
    full_name = models.CharField(_("full name"), max_length=200)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    governorate = models.CharField(_("governorate"), max_length=100)
    locale = models.CharField(_("language and region (locale)"), max_length=16, default="ar-IQ")
    password = models.CharField(_("password"), max_length=200)
    # Sandbox: the password is also kept readable, to be shown beside the person on the sign-in page.
    shown_password = models.CharField(_("password shown on the sign-in page"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["national_id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.national_id})"

    def set_password(self, raw: str) -> None:
        self.password, self.shown_password = make_password(raw), raw

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    def claims(self) -> dict[str, Any]:
        """What the provider says about this person (ID token and userinfo); no e-mail, as Ur has none."""
        return {
            "sub": self.sub,
            "name": self.full_name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birthdate": self.birth_date.isoformat(),
            "upn": self.national_id,  # KRDPass puts the national ID number in upn
            "locale": self.locale,
        }


class SigningKey(models.Model):
    """An ES256 key pair the provider signs ID tokens with. A new generation replaces the newest
    after IDENTITY_SANDBOX_KEY_DAYS; the JWKS keeps serving the one before it.

    Sandbox: the private key is stored unencrypted in the database. A real provider keeps it in an
    HSM or encrypted at rest.
    """

    generation = models.PositiveIntegerField(_("generation"), unique=True)
    kid = models.CharField(_("key ID"), max_length=64, unique=True)
    private_jwk = models.JSONField(_("private key (JWK)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-generation"]

    def __str__(self) -> str:
        return self.kid


class AuthorizationCode(models.Model):
    """A one-time code given to the client through the browser, exchanged for tokens within 60 s."""

    code = models.CharField(_("code"), max_length=128, unique=True)
    client = models.ForeignKey(Client, models.CASCADE, verbose_name=_("client"))
    identity = models.ForeignKey(Identity, models.CASCADE, verbose_name=_("identity"))
    redirect_uri = models.CharField(_("redirect URI"), max_length=500)
    scope = models.CharField(_("scope"), max_length=200)
    nonce = models.CharField(_("nonce"), max_length=255, blank=True)
    code_challenge = models.CharField(_("code challenge"), max_length=128)
    code_challenge_method = models.CharField(_("code challenge method"), max_length=10)
    acr = models.CharField(_("authentication context class"), max_length=100)
    auth_time = models.DateTimeField(_("signed in at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorization code")
        verbose_name_plural = _("authorization codes")
        indexes = [models.Index(fields=["client", "nonce"], name="sandbox_idp_code_nonce")]

    def __str__(self) -> str:
        return f"{self.client} / {self.identity}"

    def is_expired(self) -> bool:
        return timezone.now() - self.created_at > CODE_LIFETIME

    # --- authlib's AuthorizationCodeMixin and OpenID Connect's additions ---

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return ["pwd"]


class AccessToken(models.Model):
    """A bearer token for the userinfo endpoint."""

    access_token = models.CharField(_("access token"), max_length=128, unique=True)
    client = models.ForeignKey(Client, models.CASCADE, verbose_name=_("client"))
    identity = models.ForeignKey(Identity, models.CASCADE, verbose_name=_("identity"))
    # The code it was issued for: reusing a code revokes what that code gave (RFC 6749 §4.1.2).
    code = models.ForeignKey(AuthorizationCode, models.SET_NULL, null=True, blank=True, verbose_name=_("code"))
    scope = models.CharField(_("scope"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_in = models.PositiveIntegerField(_("lifetime (seconds)"))
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"{self.client} / {self.identity}"

    # --- authlib's TokenMixin ---

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.pk

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return timezone.now() >= self.issued_at + dt.timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> Identity:
        return self.identity

    def get_client(self) -> Client:
        return self.client
