"""The public list of outlets where citizens pay in person: open outlets only, by governorate,
in Arabic and in English, without signing in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from collection.constants import Governorate, Weekday
from tests.collection.outlets_world import OutletFactory
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlets():
    fund = EntityFactory(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund")
    return {
        "karkh": OutletFactory(
            entity=fund,
            open=True,
            name_ar="منفذ الكرخ",
            name_en="Karkh outlet",
            address_ar="بغداد، الكرخ، شارع حيفا",
            address_en="Haifa Street, Karkh, Baghdad",
            phone="07700000101",
        ),
        "basra": OutletFactory(
            entity=fund,
            open=True,
            governorate=Governorate.BASRA,
            name_ar="منفذ البصرة",
            name_en="Basra outlet",
            address_ar="البصرة، العشار",
            address_en="Ashar, Basra",
            open_days=sum(1 << day for day in (Weekday.SATURDAY, Weekday.SUNDAY, Weekday.MONDAY, Weekday.WEDNESDAY)),
            opens_at=dt.time(8, 30),
            closes_at=dt.time(13, 30),
        ),
        "setting_up": OutletFactory(entity=fund, name_ar="منفذ النجف", name_en="Najaf outlet"),
        "closed": OutletFactory(entity=fund, closed=True, name_ar="منفذ المنصور", name_en="Mansour outlet"),
    }


def main(response) -> str:
    return response.content.decode().split('<main id="main"', 1)[1]


def test_citizens_see_the_open_outlets_in_arabic_without_signing_in(client, outlets):
    response = client.get("/collection/outlets/")
    assert response.status_code == 200
    page = main(response)
    assert "منفذ الكرخ" in page and "منفذ البصرة" in page
    assert "منفذ النجف" not in page and "منفذ المنصور" not in page
    assert "بغداد، الكرخ، شارع حيفا" in page
    assert "من الأحد إلى الخميس، من <bdi>08:00</bdi> إلى <bdi>14:00</bdi>" in page
    assert "السبت إلى الاثنين، الأربعاء" in page
    assert 'href="tel:07700000101"' in page
    assert page.index('<h2 id="governorate-1">بغداد</h2>') < page.index('<h2 id="governorate-2">البصرة</h2>')


def test_citizens_see_the_open_outlets_in_english(client, outlets):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/collection/outlets/")
    page = main(response)
    assert response.content.decode().startswith('<!DOCTYPE html>\n\n<html lang="en" dir="ltr">')
    assert "Karkh outlet" in page and "Haifa Street, Karkh, Baghdad" in page and "Iraqi Housing Fund" in page
    assert "Najaf outlet" not in page and "Mansour outlet" not in page
    assert "Sunday to Thursday, <bdi>08:00</bdi> to <bdi>14:00</bdi>" in page
    assert "Saturday to Monday, Wednesday, <bdi>08:30</bdi> to <bdi>13:30</bdi>" in page
    assert "2 outlets are open." in page.replace("<bdi>", "").replace("</bdi>", "")


def test_an_outlet_without_an_english_address_shows_its_arabic_one(client, outlets):
    outlets["karkh"].address_en = ""
    outlets["karkh"].save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "بغداد، الكرخ، شارع حيفا" in main(client.get("/collection/outlets/"))


def test_the_list_is_filtered_by_governorate(client, outlets):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/collection/outlets/", {"governorate": "basra"})
    page = main(response)
    assert "Basra outlet" in page and "Karkh outlet" not in page
    assert [value for value, _label in response.context["form"].fields["governorate"].choices] == [
        "",
        "baghdad",
        "basra",
    ]
    nowhere = main(client.get("/collection/outlets/", {"governorate": "najaf"}))  # no open outlet there
    assert "Basra outlet" in nowhere and "Karkh outlet" in nowhere  # an unknown choice shows them all


def test_with_no_open_outlet_the_page_says_so_and_points_to_paying_online(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = main(client.get("/collection/outlets/"))
    assert "No outlet is open yet." in page and 'href="/collection/"' in page


def test_the_bills_page_and_the_home_page_link_the_list(client, world):
    assert 'href="/collection/outlets/"' in client.get("/").content.decode()
    client.force_login(world["citizen"])
    assert 'href="/collection/outlets/"' in client.get("/collection/").content.decode()
