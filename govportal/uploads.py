"""Checking uploaded files by their content, never by their name or the browser's claim."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OLE = "application/x-ole-storage"  # .doc / .xls of older Office
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", TIFF: "tif", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx", OLE: "doc"}

_MAGIC = [
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
]
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


# Largest first: a size is written in the largest unit it reaches.
_UNITS = (
    (1024**3, gettext_lazy("%(size)s GB")),
    (1024**2, gettext_lazy("%(size)s MB")),
    (1024, gettext_lazy("%(size)s KB")),
)


def file_size(size: int) -> str:
    """A size in bytes as a reader says it: a whole number and the unit in their language
    ("10 MB", "10 ميغابايت"), never Django's "10.0 م.ب."."""
    for unit, text in _UNITS:
        if size >= unit:
            return str(text) % {"size": f"{round(size / unit):,}"}
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": f"{size:,}"}


def check_size(size: int | None, *, max_bytes: int) -> int:
    """The size, unless it is above ``max_bytes`` (or unknown): then a ValidationError saying the limit
    (code ``too_large``)."""
    if size is None or size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(limit)s.") % {"limit": file_size(max_bytes)}, code="too_large"
        )
    return size


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    sha256: str
    size: int

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


def _sniff(upload: UploadedFile, head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            return next((kind for folder, kind in _OOXML.items() if any(n.startswith(folder) for n in names)), None)
    return None


def check_upload(upload: UploadedFile, *, allowed: Iterable[str], max_bytes: int, allowed_label: str) -> CheckedUpload:
    """The file's real type (from its bytes) if allowed and not too large; its SHA-256 for the record.

    Raises a translated ValidationError (codes: too_large, empty, bad_type) and reads nothing else.
    """
    size = check_size(upload.size, max_bytes=max_bytes)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    content_type = _sniff(upload, upload.read(16))
    if content_type not in set(allowed):
        raise ValidationError(allowed_label, code="bad_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type=content_type, sha256=digest.hexdigest(), size=size)
