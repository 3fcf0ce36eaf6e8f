"""Checking uploaded scans by their content, never by their name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from datacenter.constants import MAX_ATTACHMENT_BYTES

_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    sha256: str
    size: int


def check_scan(upload: UploadedFile) -> CheckedUpload:
    """A PDF, JPEG or PNG of at most 10 MB, judged by its first bytes; its SHA-256 for the record."""
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(MAX_ATTACHMENT_BYTES)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    content_type = next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)
    if content_type is None:
        raise ValidationError(_("The file must be a PDF, JPEG or PNG scan."), code="bad_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type=content_type, sha256=digest.hexdigest(), size=upload.size)
