"""The scans attached to authenticity requests: PDF, JPEG or PNG, at most 10 MB."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from datacenter.constants import MAX_ATTACHMENT_BYTES
from govportal.uploads import JPEG, PDF, PNG, CheckedUpload, check_upload


def check_scan(upload: UploadedFile) -> CheckedUpload:
    return check_upload(
        upload,
        allowed=(PDF, JPEG, PNG),
        max_bytes=MAX_ATTACHMENT_BYTES,
        allowed_label=_("The file must be a PDF, JPEG or PNG scan."),
    )
