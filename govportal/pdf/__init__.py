"""The one place that turns templates into PDFs (WeasyPrint), draws QR codes (segno), and keeps
each printed document once (``services.pdf_render``, run by the task ``govportal.pdf.tasks.pdf_render``).
Domain apps register what they print in ``printables``."""

from govportal.pdf.qr import qr_svg_data_uri
from govportal.pdf.render import render_to_pdf

__all__ = ["qr_svg_data_uri", "render_to_pdf"]
