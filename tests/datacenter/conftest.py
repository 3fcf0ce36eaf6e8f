import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datacenter.constants import DocumentType
from datacenter.services import DocumentDetails, request_submit
from govportal.accounts.constants import Role
from tests.factories import EntityFactory, MembershipFactory

SCAN = b"%PDF-1.4\n% a scanned degree\n%%EOF\n"


def scan(content: bytes = SCAN, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


DETAILS = DocumentDetails(
    document_type=DocumentType.DEGREE,
    document_number="BGD-2019-44871",
    document_date=dt.date(2019, 7, 14),
    holder_name="أحمد كريم العبيدي",
    holder_national_id="199012345678",
)


@pytest.fixture
def world(db):
    """A ministry that asks, a data centre that answers, and their staff."""
    ministry, datacentre = EntityFactory(code="MOF"), EntityFactory(code="NDC")
    return {
        "ministry": ministry,
        "datacentre": datacentre,
        "clerk": MembershipFactory(entity=ministry, role=Role.REGISTRY_CLERK).user,
        "issuer": MembershipFactory(entity=datacentre, role=Role.CERTIFICATE_ISSUER).user,
        "head": MembershipFactory(entity=datacentre, role=Role.ENTITY_HEAD).user,
    }


@pytest.fixture
def submitted(world):
    def make(details: DocumentDetails = DETAILS):
        return request_submit(
            requesting_entity=world["ministry"],
            issuing_entity=world["datacentre"],
            details=details,
            attachment=scan(),
            note="",
            actor=world["clerk"],
        )

    return make
