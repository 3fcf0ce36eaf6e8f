"""The QR on every printed document still scans from a 150 dpi scan of the page (and from 300 dpi),
now that tokens carry the holder's initials and their status list: each kind is rendered the way
the worker renders it and read back with zbarimg."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from govportal.pdf.printables import printable_for
from govportal.pdf.services import pdf_render
from govportal.verification.services import verify_url
from tests.pdf.helpers import local_storage
from tests.pdf.test_printables import KINDS as PRINTED
from tests.pdf.test_render import tool

pytestmark = pytest.mark.django_db

# Every printed kind that carries a QR: all but a printed register, which is not signed.
KINDS: dict[str, Callable[[], Any]] = {
    kind: make for kind, (make, _model) in PRINTED.items() if kind != "register_export"
}


def scanned(pdf: Path, dpi: int) -> str:
    """What a phone reads from the printed page that holds the QR, scanned at ``dpi`` (pdftoppm,
    then zbarimg). The verification block ends every document: the QR is on its last page (the
    first, but for a statement whose schedule fills the first)."""
    last = str(len(PdfReader(pdf).pages))
    prefix = pdf.parent / f"{pdf.stem}-{dpi}"
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", str(dpi), "-f", last, "-l", last, str(pdf), str(prefix)], check=True
    )
    (png,) = pdf.parent.glob(f"{prefix.name}*.png")
    # QR codes only, as a phone scanning one does: left to all its symbologies, zbarimg now and then
    # also reads a run of modules as a short one-dimensional barcode and prints that too.
    qr_only = ["-Sdisable", "-Sqrcode.enable"]
    result = subprocess.run([tool("zbarimg"), "--quiet", "--raw", *qr_only, str(png)], capture_output=True, text=True)
    assert result.returncode == 0, f"no QR code read at {dpi} dpi: {result.stderr}"
    return result.stdout.strip()


@pytest.mark.parametrize("kind", KINDS)
def test_the_printed_qr_scans_to_the_verify_url_at_150_and_300_dpi(
    kind: str, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    local_storage(settings, tmp_path / "media")
    with django_capture_on_commit_callbacks():  # the render is done here, not by the queued job
        document = KINDS[kind]()
    rendered = pdf_render(instance=document)
    pdf = tmp_path / f"{kind}.pdf"
    with getattr(rendered, printable_for(rendered).field).open("rb") as stored:
        pdf.write_bytes(stored.read())
    url = verify_url(document.artifact)
    assert scanned(pdf, 150) == url
    assert scanned(pdf, 300) == url
