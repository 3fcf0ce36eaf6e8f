import pytest
from django.test import Client

from govportal.audit.models import AuditEvent
from govportal.entities.constants import EntityKind
from tests.factories import PASSWORD, EntityFactory, UserFactory, current_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = UserFactory(is_staff=True, is_superuser=True, with_totp=True)
    client = Client()
    client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_totp(admin)})
    client.admin = admin
    return client


def test_the_admin_login_page_is_allauths_so_totp_is_required():
    admin = UserFactory(is_staff=True, is_superuser=True, with_totp=True)
    client = Client()
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    # Django's own admin login form is gone: posting a password to it does not sign in.
    client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
    response = client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    client.post("/accounts/2fa/authenticate/", {"code": current_totp(admin)})
    assert client.get("/admin/").status_code == 200


def test_making_someone_a_superuser_is_audited(admin_client):
    user = UserFactory()
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "full_name": user.full_name,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="user_change").get()
    assert event.actor == admin_client.admin
    assert event.data["is_superuser"] is True
    assert "is_superuser" in event.data["fields"]


def test_moving_an_entity_under_its_own_subtree_is_refused_with_a_message(admin_client):
    ministry = EntityFactory()
    directorate = EntityFactory(kind=EntityKind.DIRECTORATE, parent=ministry)
    response = admin_client.post(
        f"/admin/entities/entity/{ministry.pk}/change/",
        {
            "parent": directorate.pk,
            "name_ar": ministry.name_ar,
            "name_en": ministry.name_en,
            "letter_number_format": ministry.letter_number_format,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "sub-entities" in response.content.decode() or "الجهات التابعة" in response.content.decode()
    ministry.refresh_from_db()
    assert ministry.parent is None


def test_renaming_an_entity_in_the_admin_is_audited(admin_client):
    ministry = EntityFactory()
    response = admin_client.post(
        f"/admin/entities/entity/{ministry.pk}/change/",
        {
            "parent": "",
            "name_ar": "وزارة جديدة",
            "name_en": ministry.name_en,
            "letter_number_format": ministry.letter_number_format,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.for_target(ministry).get(action="entity_change")
    assert event.data == {"name_ar": "وزارة جديدة"}


def test_an_entity_gets_its_kurdish_name_in_the_admin_audited(admin_client):
    ministry = EntityFactory(name_ar="وزارة المالية")
    form = admin_client.get(f"/admin/entities/entity/{ministry.pk}/change/").content.decode()
    assert 'name="name_ckb"' in form
    response = admin_client.post(
        f"/admin/entities/entity/{ministry.pk}/change/",
        {
            "parent": "",
            "name_ar": ministry.name_ar,
            "name_en": ministry.name_en,
            "name_ckb": "وەزارەتی دارایی",
            "letter_number_format": ministry.letter_number_format,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    ministry.refresh_from_db()
    assert ministry.name_ckb == "وەزارەتی دارایی"
    assert AuditEvent.objects.for_target(ministry).get(action="entity_change").data == {"name_ckb": "وەزارەتی دارایی"}
    listing = admin_client.get("/admin/entities/entity/", {"q": "دارایی"}).content.decode()
    assert "وەزارەتی دارایی" in listing


def test_the_admin_reads_right_to_left_in_kurdish(admin_client):
    admin_client.cookies["govportal_language"] = "ckb"
    html = admin_client.get("/admin/entities/entity/").content.decode()
    assert '<html lang="ckb" dir="rtl">' in html
