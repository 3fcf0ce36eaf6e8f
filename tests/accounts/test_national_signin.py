"""Sign-in with the national identity platform, against a real OpenID Connect provider over HTTP
(``oidc_provider.TestProvider``) that can also misbehave. Every refusal changes nothing."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from joserfc.jwk import ECKey

from govportal.accounts.models import CitizenProfile, User
from govportal.accounts.selectors import has_totp
from govportal.audit.models import AuditEvent
from tests.accounts.oidc_provider import ACR, TestProvider, running_provider
from tests.factories import PASSWORD, CitizenProfileFactory, LoanFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NATIONAL_ID = "198811223344"


@pytest.fixture
def provider(settings: Any) -> Any:
    with running_provider() as running:
        settings.SOCIALACCOUNT_PROVIDERS = running.settings()
        yield running


def start(client: Client, *, process: str = "login", next_url: str = "/me/") -> str:
    """Press "Sign in with …": the portal sends the browser to the provider's authorize address."""
    response = client.post("/accounts/oidc/national/login/", {"process": process, "next": next_url})
    assert response.status_code == 302, response.content[:500]
    return response.headers["Location"]


def callback(client: Client, query: dict[str, str]) -> Any:
    return client.get("/accounts/oidc/national/login/callback/", query)


def sign_in(client: Client, provider: TestProvider, **approve: Any) -> Any:
    approve.setdefault("national_id", NATIONAL_ID)
    return callback(client, provider.approve(start(client), **approve))


def nothing_created() -> bool:
    return not User.objects.exists() and not SocialAccount.objects.exists()


# --- The sign-in itself ---------------------------------------------------------------------------


def test_authorize_request_uses_pkce_state_nonce_and_asks_for_the_assurance(client, provider):
    url = start(client)
    assert url.startswith(f"{provider.issuer}/authorize?")
    for part in (
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "acr_values=urn%3Atest%3Aacr%3Ahigh",
    ):
        assert part in url
    assert set(parse_qs(urlsplit(url).query)["scope"][0].split()) == {"openid", "profile"}


def test_first_national_sign_in_creates_the_citizen_with_a_verified_national_id(client, provider):
    response = sign_in(client, provider, name="زينب حسن علي")
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    user = User.objects.get()
    assert user.email is None and user.full_name == "زينب حسن علي" and not user.has_usable_password()
    profile = CitizenProfile.objects.get(user=user)
    assert profile.national_id == NATIONAL_ID and profile.national_id_verified
    page = client.get("/me/").content.decode()
    assert "زينب حسن علي" in page and "3344" in page
    assert "تحققت منه منصة الهوية الوطنية" in page or "Verified by the national identity platform" in page
    assert AuditEvent.objects.filter(action="citizen_register", actor=user).exists()


def test_a_second_national_sign_in_finds_the_same_account(client, provider):
    sign_in(client, provider)
    client.post("/accounts/logout/")
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert User.objects.count() == 1 and SocialAccount.objects.count() == 1
    assert client.get("/me/").status_code == 200


def test_the_loans_of_the_verified_national_id_appear_without_a_date_of_birth(client, provider):
    loan = LoanFactory(borrower_national_id=NATIONAL_ID)
    other = LoanFactory(borrower_national_id="199900000001")
    sign_in(client, provider)
    loan.refresh_from_db()
    other.refresh_from_db()
    assert loan.borrower is not None and loan.borrower.citizen_profile.national_id == NATIONAL_ID
    assert other.borrower is None
    assert loan.number in client.get("/housing/", follow=True).content.decode()
    event = AuditEvent.objects.get(action="loan_link")
    assert event.data["by"] == "national_identity"


def test_staff_signing_in_nationally_still_give_their_totp_code(client, provider):
    staff = MembershipFactory().user
    assert has_totp(staff)
    SocialAccount.objects.create(user=staff, provider="national", uid=f"sub-{NATIONAL_ID}", extra_data={})
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session


# --- An e-mail account that already holds the national ID -----------------------------------------


@pytest.fixture
def email_citizen() -> Any:
    return CitizenProfileFactory(national_id=NATIONAL_ID, user__email="owner@example.iq").user


def test_an_email_account_with_the_national_id_is_never_doubled_but_linked_after_its_password(
    client, provider, email_citizen
):
    response = sign_in(client, provider)
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/national/link/"
    assert User.objects.count() == 1 and not SocialAccount.objects.exists()
    page = client.get("/accounts/national/link/").content.decode()
    assert "o•••@example.iq" in page and "••••••••3344" in page

    wrong = client.post("/accounts/national/link/", {"password": "not-the-password"})
    assert wrong.status_code == 400
    assert not SocialAccount.objects.exists() and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="national_identity_link_fail", target_id=str(email_citizen.pk)).exists()

    right = client.post("/accounts/national/link/", {"password": PASSWORD})
    assert right.status_code == 302
    assert SocialAccount.objects.get().user == email_citizen
    assert client.session["_auth_user_id"] == str(email_citizen.pk)
    email_citizen.citizen_profile.refresh_from_db()
    assert email_citizen.citizen_profile.national_id_verified
    assert AuditEvent.objects.filter(action="national_identity_link", actor=email_citizen).count() == 1

    client.post("/accounts/logout/")
    again = sign_in(client, provider)  # from now on, straight in
    assert again.status_code == 302 and again.headers["Location"] == "/me/"
    assert User.objects.count() == 1


def test_a_signed_in_email_citizen_links_from_their_account_page_after_confirming_the_password(
    client, provider, email_citizen
):
    client.force_login(email_citizen)  # signed in long ago: allauth asks for the password again
    response = callback(client, provider.approve(start(client, process="connect"), national_id=NATIONAL_ID))
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response.headers["Location"]
    assert not SocialAccount.objects.exists()
    confirmed = client.post(response.headers["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert SocialAccount.objects.get().user == email_citizen
    assert AuditEvent.objects.filter(action="national_identity_link", actor=email_citizen).count() == 1


def test_linking_a_national_identity_of_another_national_id_is_refused(client, provider, email_citizen):
    client.force_login(email_citizen)
    response = callback(client, provider.approve(start(client, process="connect"), national_id="199911112222"))
    assert response.status_code == 409
    assert not SocialAccount.objects.exists()


# --- Refused, changing nothing --------------------------------------------------------------------


def _expired(claims: dict[str, Any]) -> None:
    claims["exp"] = int(time.time()) - 120
    claims["iat"] = int(time.time()) - 600


TAMPERED = {
    "signature": {"sign_with": ECKey.generate_key("P-256", parameters={"kid": "good"})},
    "audience": {"tamper": lambda claims: claims.update(aud="another-client")},
    "issuer": {"tamper": lambda claims: claims.update(iss="https://evil.example")},
    "expired": {"tamper": _expired},
    "nonce": {"tamper": lambda claims: claims.update(nonce="not-the-nonce-we-sent")},
    "no nonce": {"tamper": lambda claims: claims.pop("nonce")},
}


@pytest.mark.parametrize("how", TAMPERED)
def test_a_tampered_id_token_is_refused(client, provider, how):
    response = sign_in(client, provider, **TAMPERED[how])
    assert response.status_code in {401, 403}
    assert "National sign-in did not complete" in response.content.decode() or "لم يكتمل" in response.content.decode()
    assert nothing_created() and "_auth_user_id" not in client.session


def test_an_assurance_below_the_required_one_is_refused(client, provider):
    response = sign_in(client, provider, acr="urn:test:acr:low")
    assert response.status_code == 403
    assert nothing_created()
    assert AuditEvent.objects.get(action="national_signin_refuse").data["reason"] == "acr"


def test_a_forged_state_is_refused(client, provider):
    query = provider.approve(start(client), national_id=NATIONAL_ID)
    response = callback(client, {"code": query["code"], "state": "forged-state"})
    assert response.status_code in {400, 401, 403}
    assert nothing_created() and provider.token_requests == 0


def test_a_replayed_state_is_refused(client, provider):
    query = provider.approve(start(client), national_id=NATIONAL_ID)
    assert callback(client, query).status_code == 302
    client.post("/accounts/logout/")
    users = User.objects.count()
    replay = callback(client, query)
    assert replay.status_code in {400, 401, 403}
    assert User.objects.count() == users and "_auth_user_id" not in client.session


def test_a_reused_code_is_refused(client, provider):
    first = provider.approve(start(client), national_id=NATIONAL_ID)
    assert callback(client, first).status_code == 302
    client.post("/accounts/logout/")
    second = provider.approve(start(client), national_id=NATIONAL_ID)  # a fresh state …
    response = callback(client, {"code": first["code"], "state": second["state"]})  # … with the old code
    assert response.status_code in {400, 401, 403}
    assert "_auth_user_id" not in client.session and SocialAccount.objects.count() == 1


def test_the_provider_being_down_says_so_and_offers_the_email_sign_in(client, settings):
    with running_provider() as gone:
        settings.SOCIALACCOUNT_PROVIDERS = gone.settings()
    response = client.post("/accounts/oidc/national/login/", {"process": "login"})
    assert response.status_code == 503
    page = response.content.decode()
    assert 'href="/accounts/login/"' in page
    assert "not answering" in page or "لا تستجيب" in page
    assert nothing_created()


def test_the_provider_cancel_and_error_answers_change_nothing(client, provider):
    url = start(client)
    state = url.split("state=")[1].split("&")[0]
    cancelled = callback(client, {"error": "access_denied", "state": state})
    assert cancelled.status_code == 302 and "/accounts/3rdparty/login/cancelled/" in cancelled.headers["Location"]
    url = start(client)
    state = url.split("state=")[1].split("&")[0]
    failed = callback(client, {"error": "server_error", "state": state})
    assert failed.status_code == 401
    assert nothing_created()


# --- Sign-out ---------------------------------------------------------------------------------------


def test_signing_out_also_signs_out_at_the_provider(client, provider):
    sign_in(client, provider)
    response = client.post("/accounts/logout/")
    location = response.headers["Location"]
    assert location.startswith(f"{provider.issuer}/logout?")
    assert "client_id=govportal-test" in location and "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in location
    assert "_auth_user_id" not in client.session


def test_signing_out_of_an_email_sign_in_stays_on_the_portal(client, provider, email_citizen):
    client.force_login(email_citizen)
    assert client.post("/accounts/logout/").headers["Location"] == "/"


# --- Configuration ----------------------------------------------------------------------------------


def test_a_half_configured_provider_is_refused_naming_what_is_missing(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from govportal.accounts.national_oidc.config import national_oidc_apps

    monkeypatch.setenv("NATIONAL_OIDC_2_ISSUER", "https://krdpass.example")
    monkeypatch.setenv("NATIONAL_OIDC_2_CLIENT_ID", "govportal")
    with pytest.raises(ImproperlyConfigured) as refused:
        national_oidc_apps()
    assert "NATIONAL_OIDC_2_CLIENT_SECRET" in str(refused.value) and "NATIONAL_OIDC_2_ID_CLAIM" in str(refused.value)


def test_two_providers_from_the_environment(monkeypatch):
    from govportal.accounts.national_oidc.config import national_oidc_apps

    for prefix, issuer in (("NATIONAL_OIDC", "https://ur.example"), ("NATIONAL_OIDC_2", "https://krdpass.example")):
        monkeypatch.setenv(f"{prefix}_ISSUER", issuer)
        monkeypatch.setenv(f"{prefix}_CLIENT_ID", "govportal")
        monkeypatch.setenv(f"{prefix}_CLIENT_SECRET", "s3cret-value")
        monkeypatch.setenv(f"{prefix}_ID_CLAIM", "upn")
    monkeypatch.setenv("NATIONAL_OIDC_2_ACR", "idp:urn:krg:identity:citizen")
    apps = national_oidc_apps(sandbox_issuer="http://127.0.0.1:8000/sandbox-idp")
    assert [app["provider_id"] for app in apps] == ["national", "national-2"]
    assert apps[0]["settings"]["server_url"] == "https://ur.example"  # the environment wins over the sandbox
    assert apps[1]["settings"]["auth_params"] == {"acr_values": "idp:urn:krg:identity:citizen"}
    assert ACR  # (the test provider's level, used above)
