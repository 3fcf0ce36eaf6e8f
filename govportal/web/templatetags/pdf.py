"""Template helpers for printed documents (``{% load pdf %}``)."""

from __future__ import annotations

from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from govportal.pdf.qr import qr_svg_data_uri

register = template.Library()


@register.filter
def qr_data_uri(text: str) -> str:
    """``<img src="{{ verify_url|qr_data_uri }}">``: the QR code of ``text`` as an SVG data URI."""
    return qr_svg_data_uri(str(text))


@register.filter(is_safe=True)
def isolate(value: object) -> SafeString:
    """``value`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE characters.

    Serials, dates and URLs inside Arabic text keep their own order this way. WeasyPrint
    ignores ``unicode-bidi`` (so ``<bdi>`` alone does nothing in print), but Pango honours
    the isolate characters when they are in the same text run as the value.
    """
    return mark_safe(f"\u2068{conditional_escape(str(value))}\u2069")  # noqa: S308 - value is escaped


@register.simple_tag
def pdf_static(path: str) -> str:
    """A ``file://`` URL of a static file, for WeasyPrint to read straight from disk.

    Static files may live on S3 in production; the PDF renderer must not fetch over HTTP.
    """
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise template.TemplateSyntaxError(f"static file not found: {path}")
    return Path(found).as_uri()
