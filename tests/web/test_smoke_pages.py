import pytest


@pytest.mark.django_db
def test_home_page_is_arabic_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
