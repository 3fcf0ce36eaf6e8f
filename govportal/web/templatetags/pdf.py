"""Template helpers for printed documents (``{% load pdf %}``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString

from govportal.pdf.qr import qr_svg_data_uri
from govportal.verification import display

register = template.Library()


@register.filter
def qr_data_uri(text: str) -> str:
    """``<img src="{{ verify_url|qr_data_uri }}">``: the QR code of ``text`` as an SVG data URI."""
    return qr_svg_data_uri(str(text))


@register.filter(is_safe=True)
def isolate(value: object) -> SafeString:
    """A value whose direction is its own (a name, an amount with its currency) isolated from the
    text around it, on one line: FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE in a span of
    class ``pdf-isolate``.

    WeasyPrint 70 ignores ``unicode-bidi`` and does not work out ``dir="auto"`` (a ``<bdi>`` there
    takes the paragraph's direction), but Pango honours the isolate characters when they are in the
    same text run as the value.
    """
    return format_html('<span class="pdf-isolate">\u2068{}\u2069</span>', str(value))


@register.filter(is_safe=True)
def ltr(value: object) -> SafeString:
    """A left-to-right run inside Arabic text (a URL, a serial, a reference, a masked ID number, an
    e-mail address): LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE in a span of class ``pdf-ltr``
    (``direction: ltr``, never broken across lines). Without the isolation
    "http://…/verify/" prints as "/http://…/verify" in an Arabic sentence, and a URL broken at a
    line's end comes out in pieces in the wrong order."""
    return format_html('<span class="pdf-ltr">\u2066{}\u2069</span>', str(value))


@register.filter
def baghdad_time(value: dt.datetime | None) -> str:
    """A moment as a person reads it, whoever renders the PDF: "7 كانون الأول 2026، 14:08 بتوقيت بغداد"."""
    return display.baghdad_time(value) if value else ""


@register.simple_tag
def pdf_static(path: str) -> str:
    """A ``file://`` URL of a static file, for WeasyPrint to read straight from disk.

    Static files may live on S3 in production; the PDF renderer must not fetch over HTTP.
    """
    found = finders.find(path)
    if not found or isinstance(found, list):
        raise template.TemplateSyntaxError(f"static file not found: {path}")
    return Path(found).as_uri()
