"""A document printed in Kurdish (Sorani) reads as Kurdish: right to left, every Kurdish letter shaped by
an embedded font and read back in logical order, the page footer in Kurdish.

Official documents stay Arabic whoever prints them (``pdf_render`` renders in ``LANGUAGE_CODE``); this
holds what ``pdf/base.html`` and the print stylesheet give a document printed in its reader's language.
"""

from __future__ import annotations

import copy
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from govportal.pdf import render_to_pdf
from tests.pdf.helpers import pdf_text

TEST_TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE = "کورتەی حیسابی قەرز"
# ڕ ڵ ۆ ێ ە ڤ گ چ پ ژ, the letters Kurdish adds to the Arabic alphabet, all in one sentence.
SENTENCE = "پڕۆژەی نیشتەجێکردن لە پارێزگای هەولێر، چاودێریی کۆمەڵایەتی و ڤیزای گەشتیاری"
KURDISH_LETTERS = "ڕڵۆێەڤگچپژ"


def render_kurdish() -> bytes:
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    context = {
        "lang": "ckb",
        "document_title": TITLE,
        "title": TITLE,
        "sentence": SENTENCE,
        "loan_number": "IHF-2025-004217",
        "amount": "1,250,000",
    }
    with override_settings(TEMPLATES=templates), translation.override("ckb"):
        return render_to_pdf("pdf_test/kurdish.html", context)


def test_the_sentence_holds_every_letter_kurdish_adds():
    assert set(KURDISH_LETTERS) <= set(SENTENCE)
    assert not set("كيةى") & set(SENTENCE + TITLE)  # Kurdish letters, not their Arabic look-alikes


def test_kurdish_text_reads_back_in_logical_order_right_to_left(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = render_kurdish()
    assert not caplog.records, [record.getMessage() for record in caplog.records]  # no CSS it ignores
    text = " ".join(pdf_text(content, tmp_path, plain=True).split())
    # pdftotext puts a space on either side of a comma or a number in right-to-left text; the
    # letters and their order are what a reader reads.
    letters = re.sub(r"\s", "", text)
    for expected in (TITLE, SENTENCE, "ژمارەیقەرزIHF-2025-004217", "1,250,000دیناریعێراقی"):
        assert re.sub(r"\s", "", expected) in letters, text
    assert "لاپەڕە1لە1" in letters, text  # the footer in Kurdish, not "صفحة 1 من 1"
    assert TITLE in text and "پڕۆژەی نیشتەجێکردن لە پارێزگای هەولێر" in text  # words, not glyphs apart
    layout = pdf_text(content, tmp_path, layout=True, plain=True)
    title_line = next(line for line in layout.splitlines() if TITLE in line)
    label_line = next(line for line in layout.splitlines() if "ژمارەی قەرز" in line)
    # Right to left: the label column stands at the right, the value (a code) at its left.
    assert label_line.index("IHF-2025-004217") < label_line.index("ژمارەی قەرز"), label_line
    assert title_line.strip() == TITLE


def test_every_kurdish_letter_is_drawn_by_an_embedded_arabic_script_font(tmp_path):
    pdffonts = shutil.which("pdffonts")
    if not pdffonts:
        pytest.skip("pdffonts is not installed (apt-get install poppler-utils)")
    path = tmp_path / "kurdish.pdf"
    path.write_bytes(render_kurdish())
    listing = subprocess.run([pdffonts, str(path)], capture_output=True, check=True, text=True).stdout
    fonts = [line for line in listing.splitlines()[2:] if line.strip()]
    assert any("Naskh" in line for line in fonts), listing
    assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), listing  # embedded, subset, unicode
