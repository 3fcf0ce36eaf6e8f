import pytest

from govportal.entities.services import entity_link, phase_open
from govportal.web.digits import to_arabic_indic
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def test_only_text_digits_change():
    kept = '<code>MOF-2026</code><input value="07701234567"><script>var a=1;</script>'
    html = '<p class="c2">Phase 2: <bdi>21</bdi> / 24</p>' + kept
    assert to_arabic_indic(html) == '<p class="c2">Phase ٢: <bdi>٢١</bdi> / ٢٤</p>' + kept


def test_reader_can_choose_arabic_indic_digits_and_go_back(client):
    phase_open(number=1)
    entity_link(entity=EntityFactory())
    assert "<bdi>1</bdi>" in client.get("/rollout/").content.decode()
    response = client.post("/i18n/digits/", {"digits": "arab", "next": "/rollout/"})
    assert response.headers["Location"] == "/rollout/"
    html = client.get("/rollout/").content.decode()
    assert "<bdi>١</bdi>" in html
    assert "<bdi>1</bdi>" not in html
    client.post("/i18n/digits/", {"digits": "latn", "next": "/"})
    assert "<bdi>1</bdi>" in client.get("/rollout/").content.decode()


def test_kurdish_readers_can_choose_arabic_indic_digits_too(client):
    phase_open(number=1)
    entity_link(entity=EntityFactory())
    client.post("/i18n/setlang/", {"language": "ckb", "next": "/"})
    html = client.get("/rollout/").content.decode()
    assert 'name="digits" value="arab"' in html and "<bdi>1</bdi>" in html
    client.post("/i18n/digits/", {"digits": "arab", "next": "/rollout/"})
    assert "<bdi>١</bdi>" in client.get("/rollout/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/rollout/").content.decode()
    assert "<bdi>1</bdi>" in english and 'name="digits"' not in english  # not offered in English


def test_digits_switch_refuses_to_redirect_elsewhere(client):
    response = client.post("/i18n/digits/", {"digits": "arab", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
