import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_arabic_is_the_default_whatever_the_browser_says(client):
    response = client.get("/rollout/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "مراحل" in html or "الربط" in html


def test_language_switch_remembers_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/rollout/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/rollout/"
    html = client.get("/rollout/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Electronic exchange rollout" in html
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert '<html lang="ar" dir="rtl">' in client.get("/").content.decode()


def test_dates_use_iraqi_month_names_in_arabic():
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    day = dt.date(2026, 11, 22)
    with translation.override("ar"):
        assert template.render(Context({"day": day})) == "22 تشرين الثاني 2026"
    with translation.override("en"):
        assert template.render(Context({"day": day})) == "22 November 2026"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_message_is_translated(language):
    """msgfmt itself counts untranslated and fuzzy messages (plural forms included)."""
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("msgfmt"):
        pytest.skip("needs gettext's msgfmt")
    po = Path(__file__).resolve().parents[2] / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
