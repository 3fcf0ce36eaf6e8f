"""Wording on the outlet counter and the reconciliation pages, in both languages: what the citizen's
open bills are called and what they cost, the discrepancies' empty state, Arabic punctuation."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from collection.models import Discrepancy
from collection.reconciliation import settlement_import
from tests.collection.conftest import PaymentFactory, settlement_bytes, settlement_line


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?bdi>", "", html)))


@pytest.mark.parametrize(
    ("language", "heading", "amount", "wrong"),
    [
        ("ar", "الفواتير المستحقة الدفع", "100,000 د.ع", "الفواتير المدفوعة"),
        ("en", "Bills to pay", "100,000 IQD", "Bills paid"),
    ],
)
def test_the_outlet_counter_lists_the_citizens_open_bills_with_their_currency(
    world, staff_client, language, heading, amount, wrong
):
    client = staff_client(SimpleNamespace(user=world["cashier"]))
    client.cookies["govportal_language"] = language
    page = text(client.get("/collection/outlet/", {"national_id": "199012345678"}).content.decode())
    assert heading in page and wrong not in page
    assert page.count(amount) == 2  # each of the two open bills


def test_the_empty_discrepancy_queue_says_no_discrepancy_matches_the_filters(recon, staff, staff_client):
    client = staff_client(staff["officer"])
    page = text(client.get("/collection/staff/discrepancies/").content.decode())
    assert "لا توجد حالة عدم تطابق تستوفي شروط التصفية هذه." in page
    assert "عدم تطابق مطابقة" not in page
    client.cookies["govportal_language"] = "en"
    assert "No discrepancy matches these filters." in client.get("/collection/staff/discrepancies/").content.decode()


def test_a_discrepancy_reads_with_arabic_commas_and_semicolons(recon, staff, staff_client):
    payment = PaymentFactory(collecting_entity=recon["fund"], amount=210_000)
    line = settlement_line(payment, amount="209000")
    settlement_import(provider="sandbox", name="s.csv", content=settlement_bytes([line]), run_now=True)
    item = Discrepancy.objects.get(payment=payment)
    client = staff_client(staff["officer"])
    page = text(client.get(f"/collection/staff/discrepancies/{item.pk}/").content.decode())
    assert re.search(r"مدفوعة، دُفعت في", page)
    assert re.search(r"209,000 د\.ع؛ العمولة", page)
    assert not re.search(r"[\u0600-\u06ff] ?[,;] ", page.split("مراحل الربط")[0])  # no Latin comma after Arabic
    client.cookies["govportal_language"] = "en"
    english = text(client.get(f"/collection/staff/discrepancies/{item.pk}/").content.decode())
    assert "Paid, paid on" in english and "209,000 IQD; fee" in english


@pytest.mark.parametrize(
    ("total", "words"),
    [(1, "من صف واحد تقريبًا"), (2, "من نحو صفّين"), (3, "من نحو 3 صفوف"), (11, "من نحو 11 صفًّا"), (100, "من نحو 100 صف")],
)
def test_reading_progress_counts_rows_with_arabics_plural_forms(total, words):
    from django.template.loader import render_to_string
    from django.utils import translation

    from collection.reconciliation import Progress

    with translation.override("ar"):
        html = render_to_string("collection/reconciliation/_progress.html", {"progress": Progress("reading", 1, total)})
    assert words in text(html)
    with translation.override("en"):
        html = render_to_string("collection/reconciliation/_progress.html", {"progress": Progress("reading", 1, total)})
    assert f"1 of about {total} {'row' if total == 1 else 'rows'} read" in text(html)
