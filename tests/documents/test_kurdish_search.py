"""Search folds the letters a Kurdish keyboard types (ک ی ە) into the Arabic ones (ك ي ه/ة), so a
letter typed on either keyboard is found by the other spelling; stored values are refolded in SQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from documents.models import Letter
from govportal.accounts.models import Membership
from govportal.search import column_translate, normalize_arabic
from tests.conftest import login_staff


def clerk_client(office) -> Client:
    return login_staff(Client(), Membership.objects.filter(user=office["clerk"]).first())


def outgoing_found(client: Client, query: str) -> str:
    """The outgoing register's page filtered by ``query``, as the clerk sees it."""
    return client.get("/documents/outgoing/", {"q": query}).content.decode()


def test_kurdish_keyboard_letters_fold_into_the_arabic_ones():
    assert normalize_arabic("مشروع السکن") == normalize_arabic("مشروع السكن")
    assert normalize_arabic("مدینة البصرە") == normalize_arabic("مدينة البصرة") == normalize_arabic("مدينه البصره")
    assert normalize_arabic("پڕۆژەی نیشتەجێکردن") == normalize_arabic("پڕۆژهي نيشتهجێكردن")
    assert normalize_arabic("ھەولێر") == normalize_arabic("هەولێر")
    # Letters only Kurdish has stay themselves: ێ is not ي, ۆ is not و.
    assert normalize_arabic("ێ ۆ ڕ ڵ") == "ێ ۆ ڕ ڵ"


@pytest.mark.postgres
def test_a_subject_typed_on_a_kurdish_keyboard_is_found_by_its_arabic_spelling(office, dispatched):
    dispatched(subject="مشروع السکن في مدینة البصرە")  # Arabic words, Kurdish keyboard
    dispatched(subject="كتاب آخر")
    page = outgoing_found(clerk_client(office), "مشروع السكن في مدينة البصرة")
    assert "مشروع السکن في مدینة البصرە" in page and "كتاب آخر" not in page


@pytest.mark.postgres
def test_an_arabic_subject_is_found_when_the_query_is_typed_on_a_kurdish_keyboard(office, dispatched):
    dispatched(subject="مشروع السكن للموظفين")
    dispatched(subject="كتاب آخر")
    client = clerk_client(office)
    page = outgoing_found(client, "مشروع السکن")
    assert "مشروع السكن للموظفين" in page and "كتاب آخر" not in page
    kurdish = dispatched(subject="پڕۆژەی نیشتەجێکردن")
    page = outgoing_found(client, "پڕۆژهي نيشتهجێكردن")  # the Kurdish words typed with Arabic ي ك ه
    assert "پڕۆژەی نیشتەجێکردن" in page and kurdish.number in page


@pytest.mark.django_db
def test_values_stored_before_the_kurdish_folding_are_refolded_in_one_statement(office, dispatched):
    """What the migrations do (documents 0007, datacenter 0002), on this database's vendor."""
    kurdish = dispatched(subject="مشروع السکن في مدینة البصرە")
    arabic = dispatched(subject="مشروع السكن")
    old_value = "مشروع السکن في مدینه البصرە نرجو"  # as normalize_arabic stored it before
    Letter.objects.filter(pk=kurdish.pk).update(search_text=old_value)
    untouched = Letter.objects.get(pk=arabic.pk).search_text
    column_translate(connection, table="documents_letter", column="search_text", source="کیەھ", target="كيهه")
    assert Letter.objects.get(pk=kurdish.pk).search_text == normalize_arabic(old_value)
    assert Letter.objects.get(pk=arabic.pk).search_text == untouched
