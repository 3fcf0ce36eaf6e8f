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
