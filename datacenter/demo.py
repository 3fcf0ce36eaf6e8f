"""Demo certificates of authenticity for ``seed_demo`` (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datacenter.constants import DocumentType, Outcome
from datacenter.models import AuthenticityRequest, Certificate
from datacenter.services import DocumentDetails, request_answer, request_submit
from govportal.accounts.models import User
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_render
from govportal.verification.services import verify_url

DEMO_REFERENCE_NOTE = "demo"
# A one-page PDF scan (made of bytes, not a real scan) for the demo request.
_DEMO_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_certificates() -> dict[str, Any]:
    """MOF's clerk asks the National Data Centre to confirm a degree; NDC's issuer confirms it."""
    ndc, mof = Entity.objects.get(code="NDC"), Entity.objects.get(code="MOF")
    clerk = User.objects.get(email__startswith="registry.clerk@")
    issuer = User.objects.get(email__startswith="certificate.issuer@")
    certificate = Certificate.objects.filter(request__note=DEMO_REFERENCE_NOTE, issuing_entity=ndc).first()
    if certificate is None:
        item = AuthenticityRequest.objects.filter(note=DEMO_REFERENCE_NOTE, issuing_entity=ndc).first()
        if item is None:
            item = request_submit(
                requesting_entity=mof,
                issuing_entity=ndc,
                details=DocumentDetails(
                    document_type=DocumentType.DEGREE,
                    document_number="BGD-2019-44871",
                    document_date=dt.date(2019, 7, 14),
                    holder_name="أحمد كريم العبيدي",
                    holder_national_id="199012345678",
                ),
                attachment=SimpleUploadedFile("scan.pdf", _DEMO_SCAN, content_type="application/pdf"),
                note=DEMO_REFERENCE_NOTE,
                actor=clerk,
            )
        certificate = request_answer(item=item, outcome=Outcome.CONFIRMED, reason="", actor=issuer)
    pdf_render(instance=certificate)
    return {
        "certificate": verify_url(certificate.artifact),
        "certificate_pdf": reverse("datacenter:certificate_pdf", args=[certificate.pk]),
    }
