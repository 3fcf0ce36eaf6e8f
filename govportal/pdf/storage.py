"""Keep rendered PDFs through Django's storage layer (local files or S3 alike)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile


def store_pdf(*, field_file: FieldFile, name: str, content: bytes) -> None:
    """Save ``content`` as ``name`` into ``field_file`` and save its model instance.

    The storage may change ``name`` (upload_to, a suffix against clashes); read the final
    name back from ``field_file.name``.
    """
    field_file.save(name, ContentFile(content), save=True)
