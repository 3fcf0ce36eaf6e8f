"""The bytes a signature covers did not change when the five hand-built copies became one function.

``fixtures/canonical_tokens.json`` was written with the code as it was before
``canonical_bytes`` existed (each app dumping its facts to JSON by hand): for one document of
each kind, built from the fixed facts below, it holds an ES256 token over those bytes and the
public key that signed it. Today's code must hash the same facts to the token's digest, and the
token must still verify with that key in a standard JOSE library. Never regenerate the fixture.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.utils import timezone

from govportal.verification import crypto
from tests.factories import CitizenProfileFactory, EntityFactory, TraineeFactory, UserFactory

FIXTURE = Path(__file__).parent / "fixtures" / "canonical_tokens.json"
AT = dt.datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=dt.UTC)
KINDS = ["receipt", "certificate", "training_certificate", "statement", "letter"]


def receipt_bytes() -> bytes:
    from collection.models import Allocation, Payment, Receipt
    from collection.services.receipts import receipt_content
    from tests.factories import bill

    entity = EntityFactory(code="IHF")
    payer = CitizenProfileFactory(user=UserFactory(full_name="زينب علي حسين")).user
    bills = [bill(payer, entity, 125_000, reference="QS-0002"), bill(payer, entity, 75_000, reference="QS-0001")]
    payment = Payment.objects.create(
        payment_ref="PAY-7Q2M9X4K", payer=payer, collecting_entity=entity, amount=200_000, method="card",
        provider="sandbox", status="succeeded", basket_key="k", succeeded_at=AT - dt.timedelta(seconds=3),
    )  # fmt: skip
    for item in bills:
        Allocation.objects.create(payment=payment, obligation=item, amount=item.amount)
    receipt = Receipt(payment=payment, collecting_entity=entity, serial="IHF-RC-2026-000042", issued_at=AT)
    return receipt_content(receipt)


def certificate_bytes() -> bytes:
    from datacenter.models import Certificate
    from datacenter.services import certificate_content

    certificate = Certificate(
        serial="NDC-2026-000007", issuing_entity=EntityFactory.build(code="NDC"), outcome="confirmed",
        document_type="degree", document_number="BGD-2019-44871", document_date=dt.date(2019, 7, 14),
        holder_name="أحمد كريم العبيدي", holder_national_id="199012345678", issued_at=AT,
    )  # fmt: skip
    return certificate_content(certificate)


def training_certificate_bytes() -> bytes:
    from training.models import Enrollment, Programme, Session, TrainingCertificate
    from training.services.certificates import certificate_content

    owner = EntityFactory.build(code="COMSEC")
    programme = Programme(code="PRG-EDM-01", owner=owner, title_ar="إدارة الوثائق", title_en="EDM", hours=18)
    session = Session(programme=programme, start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 2, 3))
    trainee = TraineeFactory.build(full_name="سارة محمود جاسم", national_id="198811223344")
    trainee.entity = EntityFactory.build(code="MOH")
    enrollment = Enrollment(session=session, trainee=trainee, score=87)
    certificate = TrainingCertificate(
        serial="COMSEC-TR-2026-000003", enrollment=enrollment, issuing_entity=owner, issued_at=AT
    )
    return certificate_content(certificate)


def statement_digest(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Statements build their facts while issuing, so this one is issued (at a fixed time)."""
    from housing_fund.services import loan_create, statement_issue

    branch = EntityFactory(code="IHF")
    loan = loan_create(
        number="L-2026-0815", borrower_name="أحمد كريم العبيدي", borrower_national_id="199012345678",
        borrower_birth_date=dt.date(1990, 3, 14), purpose="build", principal=48_000_000, admin_fee=600_000,
        term_months=120, start_date=dt.date(2026, 1, 1), branch=branch,
    )  # fmt: skip
    monkeypatch.setattr(timezone, "now", lambda: AT)
    statement = statement_issue(loan=loan)
    monkeypatch.undo()
    assert statement.serial == "IHF-ST-2026-000001"
    return bytes.fromhex(statement.artifact.digest)


def letter_bytes() -> bytes:
    from documents.models import Attachment, Letter, LetterRecipient
    from documents.services import letter_content_bytes

    clerk = UserFactory()
    letter = Letter.objects.create(
        sender_entity=EntityFactory(code="MOF"), subject="طلب تزويد ببيانات الموازنة", created_by=clerk,
        body="نرجو تزويدنا بالبيانات المطلوبة \"عاجلاً\".\nمع التقدير", number="MOF/17/2026", year=2026,
        sequence=17, dispatched_at=AT, status="dispatched",
    )  # fmt: skip
    for code in ["MOH", "BAG"]:
        LetterRecipient.objects.create(letter=letter, entity=EntityFactory(code=code))
    for digest in ["9f" * 32, "0a" * 32]:
        Attachment.objects.create(
            letter=letter, file="x.pdf", name="x.pdf", content_type="application/pdf", size=1, sha256=digest,
            added_by=clerk,
        )  # fmt: skip
    return letter_content_bytes(letter)


def digest_of(kind: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The SHA-256 the signature of this kind's fixed document covers, as today's code computes it."""
    import hashlib

    if kind == "statement":
        return statement_digest(monkeypatch)
    content: Any = {
        "receipt": receipt_bytes,
        "certificate": certificate_bytes,
        "training_certificate": training_certificate_bytes,
        "letter": letter_bytes,
    }[kind]()
    return hashlib.sha256(content).digest()


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_signed_before_canonical_bytes_existed_still_verifies(db, monkeypatch, kind):
    saved = json.loads(FIXTURE.read_text())[kind]
    key = jwt.PyJWK(saved["jwk"], algorithm="ES256")
    payload = jwt.decode(saved["token"], key=key, algorithms=["ES256"], options={"verify_iat": False})
    assert payload["sn"] == saved["serial"]
    assert payload["dig"] == crypto.b64url(digest_of(kind, monkeypatch))
