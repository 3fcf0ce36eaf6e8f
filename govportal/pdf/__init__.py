"""The one place that turns templates into PDFs (WeasyPrint) and draws QR codes (segno)."""

from govportal.pdf.qr import qr_svg_data_uri
from govportal.pdf.render import render_to_pdf

__all__ = ["qr_svg_data_uri", "render_to_pdf"]
