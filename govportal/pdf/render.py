"""Render a Django template to PDF bytes with WeasyPrint.

WeasyPrint is heavy to import and pulls in Pango; web processes that never print should
not pay for it, so it is imported inside the functions here and nowhere else
(ruff ``TID253`` bans module-level imports of it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration


@functools.cache
def font_config() -> FontConfiguration:
    """One font configuration per process: building it scans fontconfig, which is slow."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_to_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF.

    Templates extend ``pdf/base.html``, which brings the shared print stylesheet; relative
    URLs in them resolve against the project directory. Fonts are embedded (subset).
    """
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config())
    return pdf
