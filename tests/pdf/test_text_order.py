"""Each printed document read back as its reader sees it (``pdftotext``): left-to-right runs (the verify
address, serials, references) intact and in their place in the Arabic sentences, times in Baghdad
time, Arabic punctuation, and a QR code that still scans to the document's verify URL."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from govportal.pdf.printables import printable_for
from govportal.pdf.render import render_to_pdf
from govportal.verification.services import verify_url
from tests.pdf.helpers import pdf_text, pdf_words
from tests.pdf.test_printables import KINDS

pytestmark = pytest.mark.django_db

SIGNED = [kind for kind in KINDS if kind != "register_export"]  # what carries the verification block
LATIN_PUNCTUATION_IN_ARABIC = re.compile(r"[\u0600-\u06ff][,;?]|[,;?] ?[\u0600-\u06ff]")


def rendered(instance: Any) -> bytes:
    """The PDF as the one render task makes it (always the Arabic official copy)."""
    printable = printable_for(instance)
    with translation.override("ar"):
        return render_to_pdf(printable.template, printable.context(instance))


def serial_of(kind: str, instance: Any) -> str:
    return instance.number if kind == "letter" else instance.serial


@pytest.mark.parametrize("kind", SIGNED)
def test_the_verify_address_and_the_serial_read_intact_and_in_order(kind, tmp_path, caplog):
    instance = KINDS[kind][0]()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = rendered(instance)
    assert not caplog.records, [record.getMessage() for record in caplog.records]  # no CSS it ignores
    lookup, serial = f"{settings.SITE_URL}/verify/", serial_of(kind, instance)
    # As printed: each a word whose glyphs stand left to right ("/http://…/verify" would fail).
    words = pdf_words(content, tmp_path)
    assert lookup in words and serial in words, words
    for layout in (False, True):
        line = " ".join(pdf_text(content, tmp_path, layout=layout, plain=True).split())
        # In the sentence, between "go to the page" and "and enter".
        assert re.search(rf"افتح الصفحة {re.escape(lookup)} ?وأدخل", line), line
        # The serial beside its label (pdftotext puts the colon on either side).
        assert re.search(rf"الرقم التسلسلي\W*{re.escape(serial)}(?![\w/-])", line), line
        assert not LATIN_PUNCTUATION_IN_ARABIC.search(line), LATIN_PUNCTUATION_IN_ARABIC.search(line)


@pytest.mark.parametrize("kind", SIGNED)
def test_the_qr_code_still_scans_to_the_verify_url(kind, tmp_path):
    zbarimg, pdftoppm = shutil.which("zbarimg"), shutil.which("pdftoppm")
    if not (zbarimg and pdftoppm):
        pytest.skip("zbarimg or pdftoppm is not installed (apt-get install zbar-tools poppler-utils)")
    instance = KINDS[kind][0]()
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(rendered(instance))
    subprocess.run([pdftoppm, "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    codes = set()
    for png in sorted(tmp_path.glob("page*.png")):
        scanned = subprocess.run(
            [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True
        )
        codes |= set(scanned.stdout.split())
    assert codes == {verify_url(instance.artifact)}


def test_a_receipt_prints_the_time_of_payment_in_baghdad_time(tmp_path):
    from collection.services.receipts import receipt_issue
    from tests.collection.conftest import PaymentFactory
    from tests.factories import EntityFactory

    paid = dt.datetime(2026, 12, 7, 11, 8, tzinfo=dt.UTC)
    payment = PaymentFactory(collecting_entity=EntityFactory(code="IHF"), succeeded_at=paid, amount=210_000)
    content = rendered(receipt_issue(payment=payment))
    text = " ".join(pdf_text(content, tmp_path, plain=True).split())
    # pdftotext may set the numbers of a date apart from its words; the pieces are what it keeps.
    assert "14:08" in text and "11:08" not in text
    assert "كانون الأول" in text and "بتوقيت بغداد" in text
    assert "210,000" in pdf_words(content, tmp_path) and payment.payment_ref in pdf_words(content, tmp_path)


def test_a_training_certificate_prints_its_dates_and_score_in_arabic(tmp_path):
    instance = KINDS["training_certificate"][0]()
    text = " ".join(pdf_text(rendered(instance), tmp_path, plain=True).split())
    assert re.search(r"91 ?من 100", text), text
    session = instance.enrollment.session
    with translation.override("ar"):
        first, last = (date_format(day, "DATE_FORMAT") for day in (session.start_date, session.end_date))
    for day in (first, last):  # "17 كانون الأول 2026": the month's name, not an ISO date
        assert day.split(" ", 1)[1].rsplit(" ", 1)[0] in text
    assert "إلى" in text and session.start_date.isoformat() not in text and "/ 100" not in text
    assert instance.enrollment.session.programme.code in text


def test_a_printed_register_says_when_it_was_printed_in_baghdad_time(tmp_path):
    instance = KINDS["register_export"][0]()
    text = " ".join(pdf_text(rendered(instance), tmp_path, plain=True).split())
    assert "تاريخ الطباعة" in text and "بتوقيت بغداد" in text and "·" not in text
    assert f"{instance.entity.code}/1/{timezone.localdate().year}" in text  # the letter's number, as printed
