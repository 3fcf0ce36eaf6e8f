"""What the requester reads: the form in their language, the limit in whole units, statuses that
agree with "request" (طلب, masculine)."""

import pytest
from django.test import Client
from django.utils import translation

from datacenter.constants import RequestStatus
from tests.conftest import login_staff

pytestmark = pytest.mark.django_db


def signed_in(membership, language):
    client = login_staff(Client(), membership)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


@pytest.mark.parametrize(
    ("language", "choose", "limit"),
    [("ar", "اختر الجهة", "بحجم لا يتجاوز 10 ميغابايت."), ("en", "Choose the entity", "at most 10 MB.")],
)
def test_the_request_form_is_all_in_the_readers_language(world, language, choose, limit):
    from govportal.accounts.models import Membership

    html = signed_in(Membership.objects.get(user=world["clerk"]), language).get("/datacenter/requests/new/")
    page = html.content.decode()
    assert html.status_code == 200
    assert f'<option value="" selected>{choose}</option>' in page
    assert "Select an option" not in page and "---------" not in page
    assert limit in page and "م.ب" not in page and "10.0" not in page


@pytest.mark.parametrize(
    ("status", "arabic"),
    [
        (RequestStatus.SUBMITTED, "مُرسَل"),
        (RequestStatus.UNDER_REVIEW, "قيد التدقيق"),
        (RequestStatus.RETURNED, "أُعيد لاستكمال المعلومات"),
        (RequestStatus.ANSWERED, "مُجاب عنه"),
    ],
)
def test_request_statuses_agree_with_a_masculine_noun(status, arabic):
    with translation.override("ar"):
        assert str(status.label) == arabic


def test_the_list_of_sent_requests_shows_the_masculine_status(world, submitted):
    from govportal.accounts.models import Membership

    submitted()
    page = signed_in(Membership.objects.get(user=world["clerk"]), "ar").get("/datacenter/requests/").content.decode()
    assert '<strong class="tag tag--blue">مُرسَل</strong>' in page
    assert "مُرسَلة" not in page


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "ar",
            ["اختر الجهة التي أصدرت الوثيقة.", "أدخل رقم الوثيقة.", "أدخل تاريخ الوثيقة.", "اختر النسخة الممسوحة"],
        ),
        (
            "en",
            [
                "Choose the entity that issued the document.",
                "Enter the document&#x27;s number.",
                "Enter the document&#x27;s date.",
                "Choose the scan of the document.",
            ],
        ),
    ],
)
def test_an_empty_request_says_what_each_field_needs(world, language, messages):
    from govportal.accounts.models import Membership

    client = signed_in(Membership.objects.get(user=world["clerk"]), language)
    response = client.post("/datacenter/requests/new/", {"note": ""})  # as a browser sends it: not empty
    page = response.content.decode()
    assert response.status_code == 200
    for message in messages:
        assert message in page
    assert "هذا الحقل مطلوب" not in page and "This field is required" not in page
