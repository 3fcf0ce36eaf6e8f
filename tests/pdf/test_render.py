"""Printed documents as a reader sees them: Arabic text, embedded fonts, a QR that scans."""

from __future__ import annotations

import base64
import copy
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from govportal.entities.models import Entity
from govportal.pdf import render_to_pdf

ROOT = Path(__file__).resolve().parents[2]
TEST_TEMPLATES = Path(__file__).resolve().parent / "templates"
# A token as long as real signed ones (~250–320 characters) so the QR is as dense as in production.
TOKEN = base64.urlsafe_b64encode(bytes(range(256)))[:300].decode()
VERIFY_URL = f"http://127.0.0.1:8000/v/{TOKEN}"
SERIAL = "IHF-R-2025-000123"
HOLDER = "زينب علي حسين الموسوي"
# pdftotext marks direction with embedding controls; a reader does not see them.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils zbar-tools)")
    return path


@pytest.fixture(scope="module")
def certificate_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page Arabic receipt with the letterhead and the verification block."""
    ministry = Entity(
        code="MOCHM",
        name_ar="وزارة الإعمار والإسكان والبلديات العامة",
        name_en="Ministry of Construction, Housing and Public Municipalities",
    )
    fund = Entity(code="IHF", name_ar="صندوق الإسكان العراقي", name_en="Iraqi Housing Fund", parent=ministry)
    context = {
        "entity": fund,
        "document_title": "وصل تسديد قسط",
        "holder_name": HOLDER,
        "loan_number": "IHF-2025-004217",
        "amount": "1,250,000",
        "verify_url": VERIFY_URL,
        "serial": SERIAL,
        "issued_at": datetime(2025, 10, 14, 23, 30, tzinfo=ZoneInfo("UTC")),
        "site_url": "http://127.0.0.1:8000",
    }
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEST_TEMPLATES]
    with override_settings(TEMPLATES=templates), translation.override("ar"):
        pdf = render_to_pdf("pdf_test/certificate.html", context)
    path = tmp_path_factory.mktemp("pdf") / "certificate.pdf"
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path) -> str:
    result = subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True)
    return BIDI_CONTROLS.sub("", result.stdout)


def test_arabic_text_reads_back_in_logical_order(certificate_pdf: Path) -> None:
    text = pdf_text(certificate_pdf)
    assert "جمهورية العراق" in text
    assert "Republic of Iraq" in text
    assert "وزارة الإعمار والإسكان والبلديات العامة" in text
    assert "صندوق الإسكان العراقي" in text
    assert "Iraqi Housing Fund" in text
    assert "وصل تسديد قسط" in text
    assert HOLDER in text
    assert SERIAL in text
    # The issue date in Baghdad time (23:30 UTC on the 14th), with the Iraqi month name.
    assert re.search(r"15\W*تشرين الأول 2025", text) and "14 تشرين" not in text
    assert "صفحة1من1" in re.sub(r"\s", "", text)


def test_arabic_font_is_embedded(certificate_pdf: Path) -> None:
    page = PdfReader(certificate_pdf).pages[0]
    embedded = []
    fonts = cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/Font"].get_object())
    for reference in fonts.values():
        font = cast(DictionaryObject, reference.get_object())
        if "/DescendantFonts" in font:  # Type0 (CID) fonts keep the descriptor one level down
            font = cast(DictionaryObject, cast(ArrayObject, font["/DescendantFonts"])[0].get_object())
        descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
        if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
            embedded.append(str(font["/BaseFont"]))
    assert any("Naskh" in name or "Amiri" in name for name in embedded), embedded

    if pdffonts := shutil.which("pdffonts"):
        listing = subprocess.run([pdffonts, str(certificate_pdf)], capture_output=True, check=True, text=True).stdout
        arabic = [line for line in listing.splitlines() if "Naskh" in line or "Amiri" in line]
        assert arabic
        assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in arabic), listing  # emb, sub, uni


def test_qr_code_scans_to_the_verify_url(certificate_pdf: Path, tmp_path: Path) -> None:
    zbarimg = tool("zbarimg")
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "150", "-f", "1", "-l", "1", str(certificate_pdf), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == VERIFY_URL


def test_weasyprint_is_imported_only_by_the_renderer() -> None:
    allowed = ROOT / "govportal" / "pdf" / "render.py"
    skip = {".venv", ".git", "var", "node_modules", "test-results", "__pycache__"}
    importing = re.compile(r"^\s*(import|from)\s+weasyprint\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not skip.intersection(path.relative_to(ROOT).parts)
        and path != allowed
        and importing.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert importing.search(allowed.read_text(encoding="utf-8"))
