"""QR codes for printed documents: black on white, medium error correction, full quiet zone."""

from __future__ import annotations

import base64
import io

import segno

BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 asks
PRINTED_WIDTH_MM = 34.0  # the print stylesheet sets the same width on .pdf-qr


def _make(text: str) -> segno.QRCode:
    # error="m" is a floor: segno raises it when the higher level fits in the same version.
    return segno.make(text, error="m", micro=False)


def qr_svg_data_uri(text: str) -> str:
    """A ``data:image/svg+xml;base64,…`` URI of the QR code for ``text``.

    The SVG's own size is ``PRINTED_WIDTH_MM`` so it prints right even without CSS.
    """
    qr = _make(text)
    width, _height = qr.symbol_size(border=BORDER)
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=PRINTED_WIDTH_MM / width,
        unit="mm",
        border=BORDER,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def qr_png_bytes(text: str, *, scale: int = 4) -> bytes:
    """The same code as a PNG (``scale`` pixels a module), for tests and previews."""
    buffer = io.BytesIO()
    _make(text).save(buffer, kind="png", scale=scale, border=BORDER, dark="#000", light="#fff")
    return buffer.getvalue()
