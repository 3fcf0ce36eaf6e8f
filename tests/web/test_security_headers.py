import pytest


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only(client):
    from tests.factories import PASSWORD, UserFactory

    assert client.get("/accounts/login/").cookies["csrftoken"]["httponly"]
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_stored_files_are_not_served_from_a_public_url(client, settings):
    """Private files are reachable only through permission-checked views, never by path."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("private/probe.txt", ContentFile(b"secret letter"))
    try:
        for prefix in ("/media/", "/files/", "/static/", "/"):
            response = client.get(prefix + name)
            assert response.status_code == 404
    finally:
        default_storage.delete(name)
