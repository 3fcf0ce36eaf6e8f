"""Every page names its icon, and a browser asking for /favicon.ico gets one, not a 404."""

import re

import pytest
from django.test import Client, RequestFactory

from collection.models import SandboxCharge
from govportal.web.views import server_error
from tests.factories import PASSWORD, UserFactory, current_totp

pytestmark = pytest.mark.django_db

PORTAL_ICON = re.compile(r'<link rel="icon" href="/static/img/emblem\.svg" type="image/svg\+xml">')


def test_portal_pages_link_the_emblem(client):
    assert PORTAL_ICON.search(client.get("/").content.decode())
    assert PORTAL_ICON.search(client.get("/accounts/login/").content.decode())


def test_error_pages_link_the_emblem(client):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and PORTAL_ICON.search(missing.content.decode())
    failed = server_error(RequestFactory().get("/"))
    assert failed.status_code == 500 and PORTAL_ICON.search(failed.content.decode())


def test_admin_pages_link_the_emblem():
    user = UserFactory(is_staff=True, is_superuser=True, with_totp=True)
    admin = Client()
    admin.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    admin.post("/accounts/2fa/authenticate/", {"code": current_totp(user)})
    for url in ("/admin/", "/admin/accounts/user/"):
        page = admin.get(url)
        assert page.status_code == 200 and 'id="site-name"' in page.content.decode()  # Django's admin layout
        assert PORTAL_ICON.search(page.content.decode())


def test_the_sandbox_payment_company_has_its_own_icon(client):
    charge = SandboxCharge.objects.create(
        id="sp_favicon", payment_ref="IHF-P-1", merchant="Iraqi Housing Fund", amount=250_000, return_url="http://x/"
    )
    page = client.get(f"/sandbox-gateway/pay/{charge.pk}/").content.decode()
    assert '<link rel="icon" href="/static/img/sandpay.svg" type="image/svg+xml">' in page
    assert "emblem.svg" not in page  # a separate company, not the portal


def test_favicon_ico_leads_to_the_emblem(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/img/emblem.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
