"""The authorization code flow over real HTTP, checked with PyJWT (an independent JOSE library)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import pytest
import requests

from sandbox_idp.models import ACR_LOW, ACR_SUBSTANTIAL, AuthorizationCode
from tests.sandbox_idp.conftest import CLIENT_ID, NATIONAL_ID, PASSWORD, RelyingParty, query_of


def verified(rp: RelyingParty, id_token: str) -> dict[str, Any]:
    keys = jwt.PyJWKClient(rp.metadata["jwks_uri"], cache_keys=False)
    return jwt.decode(
        id_token,
        keys.get_signing_key_from_jwt(id_token).key,
        algorithms=["ES256"],
        audience=CLIENT_ID,
        issuer=rp.metadata["issuer"],
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )


def test_discovery_names_every_endpoint_under_the_issuer(rp: RelyingParty) -> None:
    meta = rp.metadata
    assert meta["issuer"] == f"{rp.base}/sandbox-idp"
    for name, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks.json"),
        ("end_session_endpoint", "/logout"),
    ]:
        assert meta[name] == meta["issuer"] + path
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["ES256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {"client_secret_post", "client_secret_basic"}
    assert ACR_LOW in meta["acr_values_supported"] and "upn" in meta["claims_supported"]


def test_citizen_signs_in_and_the_client_verifies_the_id_token_with_the_jwks(rp: RelyingParty) -> None:
    page = rp.open(rp.authorize_url())
    assert page.status_code == 200
    assert "Sign in with your national identity" in page.text
    assert "أحمد كريم العبيدي" in page.text and NATIONAL_ID in page.text and PASSWORD in page.text
    for button in ("Cancel", "Simulate a provider error", "Sign in with low assurance"):
        assert button in page.text

    code = rp.sign_in()
    answer = rp.exchange(code)

    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert tokens["token_type"].lower() == "bearer" and tokens["expires_in"] > 0
    claims = verified(rp, tokens["id_token"])
    assert claims["nonce"] == rp.nonce
    assert claims["acr"] == ACR_SUBSTANTIAL
    assert claims["amr"] == ["pwd"]
    assert claims["upn"] == NATIONAL_ID
    assert claims["name"] == "أحمد كريم العبيدي" and claims["birthdate"] == "1990-03-14"
    assert claims["exp"] - claims["iat"] == 300
    assert "email" not in claims
    assert jwt.get_unverified_header(tokens["id_token"])["kid"]

    info = requests.get(
        rp.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"] and info.json()["upn"] == NATIONAL_ID
    assert "nonce" not in info.json() and "acr" not in info.json()


def test_client_secret_post_is_accepted_too(rp: RelyingParty) -> None:
    answer = rp.exchange(rp.sign_in(), basic=False)

    assert answer.status_code == 200 and "id_token" in answer.json()


def test_the_same_person_has_the_same_subject_every_time(rp: RelyingParty) -> None:
    first = verified(rp, rp.exchange(rp.sign_in()).json()["id_token"])
    second = verified(rp, rp.exchange(rp.sign_in()).json()["id_token"])

    assert first["sub"] == second["sub"] and NATIONAL_ID not in first["sub"]


def test_jwks_is_public_and_cacheable(rp: RelyingParty) -> None:
    rp.exchange(rp.sign_in())  # a key exists once something was signed
    response = requests.get(rp.metadata["jwks_uri"], timeout=10)

    assert response.headers["Cache-Control"] == "public, max-age=300"
    (key,) = response.json()["keys"]
    assert {key["kty"], key["crv"], key["use"], key["alg"]} == {"EC", "P-256", "sig", "ES256"}
    assert key["x"] and key["y"] and key["kid"] and "d" not in key


def test_a_code_works_once_and_its_replay_revokes_the_token(rp: RelyingParty) -> None:
    code = rp.sign_in()
    first = rp.exchange(code)
    again = rp.exchange(code)

    assert first.status_code == 200
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    info = requests.get(
        rp.metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
        timeout=10,
    )
    assert info.status_code == 401


def test_a_code_older_than_a_minute_is_refused(rp: RelyingParty) -> None:
    code = rp.sign_in()
    AuthorizationCode.objects.filter(code=code).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))

    answer = rp.exchange(code)

    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_the_pkce_verifier_is_required_and_checked(rp: RelyingParty) -> None:
    missing = rp.exchange(rp.sign_in(), code_verifier=None)
    wrong = rp.exchange(rp.sign_in(), code_verifier="w" * 50)

    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_an_authorization_request_without_pkce_is_sent_back_refused(rp: RelyingParty) -> None:
    for overrides in ({"code_challenge": None, "code_challenge_method": None}, {"code_challenge_method": "plain"}):
        answer = rp.open(rp.authorize_url(**overrides))

        assert answer.status_code == 302
        back = query_of(answer.headers["Location"])
        assert back["error"] == "invalid_request" and back["state"] == rp.state


def test_a_request_without_openid_scope_is_refused(rp: RelyingParty) -> None:
    answer = rp.open(rp.authorize_url(scope="profile"))

    assert answer.status_code == 302 and query_of(answer.headers["Location"])["error"] == "invalid_scope"


def test_a_wrong_client_secret_is_refused(rp: RelyingParty) -> None:
    code = rp.sign_in()
    basic = requests.post(
        rp.metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": rp.redirect_uri,
            "code_verifier": rp.verifier,
        },
        auth=(CLIENT_ID, "not-the-secret"),
        timeout=10,
    )
    post = rp.exchange(code, basic=False, client_secret="not-the-secret")

    assert basic.status_code == 401 and basic.json()["error"] == "invalid_client"
    assert post.status_code in (400, 401) and post.json()["error"] == "invalid_client"
    assert rp.exchange(code).status_code == 200  # the code was not spent by the failed attempts


@pytest.mark.parametrize("redirect_uri", ["https://attacker.example/callback/", "{base}/callback/elsewhere/"])
def test_an_unregistered_redirect_uri_shows_an_error_page_and_never_redirects(
    rp: RelyingParty, redirect_uri: str
) -> None:
    answer = rp.open(rp.authorize_url(redirect_uri=redirect_uri.format(base=rp.base)))

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "This sign-in request cannot be accepted" in answer.text


def test_an_unknown_client_shows_an_error_page(rp: RelyingParty) -> None:
    answer = rp.open(rp.authorize_url(client_id="nobody"))

    assert answer.status_code == 400 and "Location" not in answer.headers


def test_a_wrong_password_shows_the_page_again_with_an_error(rp: RelyingParty) -> None:
    answer = rp.press(rp.authorize_url(), "sign_in", NATIONAL_ID, "wrong-password")

    assert answer.status_code == 400
    assert "The national ID number or the password is wrong." in answer.text
    assert f'value="{NATIONAL_ID}"' in answer.text  # what was typed is kept


def test_cancel_goes_back_with_access_denied_and_the_state(rp: RelyingParty) -> None:
    answer = rp.press(rp.authorize_url(), "cancel")

    assert answer.status_code == 302 and answer.headers["Location"].startswith(rp.redirect_uri)
    back = query_of(answer.headers["Location"])
    assert back["error"] == "access_denied" and back["state"] == rp.state and "code" not in back


def test_a_simulated_provider_error_goes_back_with_server_error(rp: RelyingParty) -> None:
    answer = rp.press(rp.authorize_url(), "error")

    back = query_of(answer.headers["Location"])
    assert back["error"] == "server_error" and back["state"] == rp.state and "code" not in back


def test_low_assurance_sign_in_gives_the_low_acr(rp: RelyingParty) -> None:
    claims = verified(rp, rp.exchange(rp.sign_in(action="sign_in_low")).json()["id_token"])

    assert claims["acr"] == ACR_LOW


def test_acr_values_asked_for_do_not_change_a_normal_sign_in(rp: RelyingParty) -> None:
    claims = verified(rp, rp.exchange(rp.sign_in(acr_values=ACR_LOW)).json()["id_token"])

    assert claims["acr"] == ACR_SUBSTANTIAL


def test_prompt_none_without_a_provider_session_answers_login_required(rp: RelyingParty) -> None:
    answer = rp.open(rp.authorize_url(prompt="none"))

    assert query_of(answer.headers["Location"])["error"] == "login_required"


def test_signed_in_at_the_provider_the_citizen_can_continue_without_a_password(rp: RelyingParty) -> None:
    rp.sign_in()
    page = rp.open(rp.authorize_url())
    assert "Continue as" in page.text

    silent = rp.open(rp.authorize_url(prompt="none"))
    assert "code" in query_of(silent.headers["Location"])


def test_logout_ends_the_provider_session_and_goes_back_with_the_state(rp: RelyingParty) -> None:
    id_token = rp.exchange(rp.sign_in()).json()["id_token"]

    answer = rp.browser.get(
        rp.metadata["end_session_endpoint"],
        params={"id_token_hint": id_token, "post_logout_redirect_uri": f"{rp.base}/", "state": "bye-1"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 302 and answer.headers["Location"] == f"{rp.base}/?state=bye-1"
    assert "Continue as" not in rp.open(rp.authorize_url()).text


def test_logout_with_client_id_only_goes_back_too(rp: RelyingParty) -> None:
    answer = rp.browser.get(
        rp.metadata["end_session_endpoint"],
        params={"client_id": CLIENT_ID, "post_logout_redirect_uri": f"{rp.base}/", "state": "s"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 302 and answer.headers["Location"] == f"{rp.base}/?state=s"


def test_logout_to_an_unregistered_address_shows_signed_out_without_redirect(rp: RelyingParty) -> None:
    rp.sign_in()
    answer = rp.browser.get(
        rp.metadata["end_session_endpoint"],
        params={"client_id": CLIENT_ID, "post_logout_redirect_uri": "https://attacker.example/"},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "You are signed out of the sandbox identity provider" in answer.text
    assert "Continue as" not in rp.open(rp.authorize_url()).text
