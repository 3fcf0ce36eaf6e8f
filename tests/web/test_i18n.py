import datetime as dt
import re

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


def test_language_switch_remembers_kurdish_written_right_to_left(client):
    client.post("/i18n/setlang/", {"language": "ckb", "next": "/rollout/"})
    response = client.get("/rollout/")
    html = response.content.decode()
    assert '<html lang="ckb" dir="rtl">' in html
    assert response.headers["Content-Language"] == "ckb"


@pytest.mark.parametrize(
    ("language", "offered"),
    [("ar", ["ckb", "en"]), ("ckb", ["ar", "en"]), ("en", ["ar", "ckb"])],
)
def test_the_switch_offers_the_two_other_languages_each_in_its_own_name(client, language, offered):
    own = {"ar": ("العربية", "rtl"), "ckb": ("کوردی", "rtl"), "en": ("English", "ltr")}
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/rollout/").content.decode()
    switch = html[html.index('class="inline-form language-switch"') :]
    switch = switch[: switch.index("</form>")]
    buttons = re.findall(
        r'<button type="submit" name="language" value="(\w+)" lang="(\w+)" dir="(\w+)"[^>]*>([^<]+)</button>', switch
    )
    assert buttons == [(code, code, own[code][1], own[code][0]) for code in offered]


def test_dates_use_iraqi_month_names_in_arabic():
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    day = dt.date(2026, 11, 22)
    with translation.override("ar"):
        assert template.render(Context({"day": day})) == "22 تشرين الثاني 2026"
    with translation.override("en"):
        assert template.render(Context({"day": day})) == "22 November 2026"


def test_kurdish_dates_use_the_sorani_month_names_used_in_iraq():
    """Fails until the Kurdish catalogue has its month names (the translators' part)."""
    template = Template('{{ day|date:"DATE_FORMAT" }} / {{ moment|date:"DATETIME_FORMAT" }}')
    moment = dt.datetime(2026, 1, 5, 18, 9, tzinfo=dt.UTC)
    with translation.override("ckb"):
        text = template.render(Context({"day": dt.date(2026, 11, 22), "moment": moment}))
    assert text == "22 تشرینی دووەم 2026 / 5 کانوونی دووەم 2026، 21:09"


@pytest.mark.parametrize("language", ["ar", "ckb", "en"])
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
