import pytest

from govportal.accounts.constants import Role
from govportal.accounts.services import membership_grant
from tests.factories import PASSWORD, CitizenProfileFactory, EntityFactory, MembershipFactory, UserFactory, current_totp

pytestmark = pytest.mark.django_db


def sign_in_with_password(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def test_staff_without_mfa_is_sent_to_set_it_up_from_every_page(client):
    user = UserFactory()
    membership_grant(user=user, entity=EntityFactory(), role=Role.REGISTRY_CLERK)
    sign_in_with_password(client, user)
    for path in ["/", "/workspace/", "/me/", "/rollout/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/accounts/2fa/totp/activate/", path
    page = client.get("/workspace/", follow=True)
    assert page.status_code == 200
    assert "يجب على حسابات الموظفين استخدام التحقق بخطوتين" in page.content.decode()


def test_administrator_without_mfa_cannot_reach_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_password(client, admin)
    response = client.get("/admin/")
    assert response.headers["Location"] == "/accounts/2fa/totp/activate/"


def test_citizen_is_not_forced_to_set_up_mfa(client):
    citizen = CitizenProfileFactory().user
    sign_in_with_password(client, citizen)
    response = client.get("/me/")
    assert response.status_code == 200
    assert citizen.citizen_profile.masked_national_id in response.content.decode()


def test_staff_with_totp_needs_the_code_after_the_password(client):
    membership = MembershipFactory()
    response = sign_in_with_password(client, membership.user)
    assert response.headers["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/workspace/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp(membership.user)})
    assert response.status_code == 302
    workspace = client.get("/workspace/", follow=True)
    assert workspace.status_code == 200
    assert membership.entity.name_ar in workspace.content.decode()


USED = {
    "ar": "استُخدم هذا الرمز للتو. انتظر الرمز التالي في تطبيقك ثم أدخله.",
    "en": "This code was just used. Wait for the next code in your app and enter it.",
}
WRONG = {"ar": "الرمز غير صحيح.", "en": "Incorrect code."}


def in_language(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_code_used_a_moment_ago_is_refused_as_used_not_as_wrong(client, language):
    membership = MembershipFactory()
    user = membership.user
    in_language(client, language)
    sign_in_with_password(client, user)
    code = current_totp(user)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    in_language(client, language)
    sign_in_with_password(client, user)
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    html = again.content.decode()
    assert again.status_code == 200
    assert USED[language] in html and WRONG[language] not in html
    assert 'class="error-summary"' in html
    assert client.get("/workspace/").status_code == 302  # still not signed in
    # A wrong code is still called wrong.
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000" if code != "000000" else "111111"})
    assert WRONG[language] in wrong.content.decode() and USED[language] not in wrong.content.decode()


def test_a_used_code_is_named_as_used_when_asked_again_before_a_change(client):
    membership = MembershipFactory()
    user = membership.user
    sign_in_with_password(client, user)
    code = current_totp(user)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    again = client.post("/accounts/2fa/reauthenticate/", {"code": code})
    assert again.status_code == 200
    assert USED["ar"] in again.content.decode()
