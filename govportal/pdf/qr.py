"""QR codes for printed documents: black on white, medium error correction, full quiet zone.

The printed size follows the content: every module is ``MODULE_MM`` wide, so a 150 dpi scan gives
each about 2.5 pixels whatever the document. A signed token of ~420–490 characters (issuer, kind,
serial, date, digest, the holder's initials, its status list) makes a version 16–18 symbol, 37–41
mm wide with its quiet zone; at a fixed 34 mm those modules were 2.1 pixels at 150 dpi, and
zbarimg could not read some pages, depending on where the code fell on the pixel grid.
"""

from __future__ import annotations

import base64
import io

import segno

BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 asks
# 0.42 mm is 2.48 pixels at 150 dpi. Rendered at 150 dpi and read with zbarimg, version 17 codes
# with 0.38 mm modules (2.24 pixels) failed in 7 of 40 positions on the page, with 0.40 mm in none;
# versions 16 to 19 with 0.42 mm in none of 240.
MODULE_MM = 0.42
MIN_WIDTH_MM = 34.0  # short texts keep the size the documents were laid out with


def _make(text: str) -> segno.QRCode:
    # error="m" is a floor: segno raises it when the higher level fits in the same version.
    return segno.make(text, error="m", micro=False)


def printed_width_mm(qr: segno.QRCode) -> float:
    """The code's printed width (and height), quiet zone included."""
    width, _height = qr.symbol_size(border=BORDER)
    return max(MIN_WIDTH_MM, round(width * MODULE_MM, 2))


def qr_svg_data_uri(text: str) -> str:
    """A ``data:image/svg+xml;base64,…`` URI of the QR code for ``text``.

    The SVG carries its printed size in mm (``printed_width_mm``); the print stylesheet leaves it
    so. Pages on screen size it with CSS."""
    qr = _make(text)
    width, _height = qr.symbol_size(border=BORDER)
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=printed_width_mm(qr) / width,
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
