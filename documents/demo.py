"""Demo letters for ``seed_demo`` (idempotent): one dispatched letter from the Ministry of Finance."""

from __future__ import annotations

from typing import Any

from documents.constants import Classification, LetterStatus, Priority
from documents.models import Letter
from documents.services import LetterContent, letter_approve, letter_dispatch, letter_draft, letter_submit
from govportal.accounts.models import User
from govportal.entities.models import Entity
from govportal.verification.services import verify_url

DEMO_SUBJECT = "تزويد الأمانة العامة بموقف تنفيذ الجباية الإلكترونية"


def demo_letters() -> dict[str, Any]:
    finance = Entity.objects.get(code="MOF")
    letter = Letter.objects.filter(sender_entity=finance, subject=DEMO_SUBJECT).first()
    if letter is None or letter.status != LetterStatus.DISPATCHED:
        clerk = User.objects.get(email__startswith="registry.clerk@")
        head = User.objects.get(email__startswith="entity.head@")
        letter = letter or letter_draft(
            sender=finance,
            actor=clerk,
            content=LetterContent(
                subject=DEMO_SUBJECT,
                body=(
                    "إشارة إلى كتابكم المتعلق بمتابعة التحول إلى الجباية الإلكترونية، نود إعلامكم بأن الوزارة "
                    "أكملت ربط منافذ الدفع في دوائرها، ونرفق لكم موقف التنفيذ للاطلاع.\n\nمع التقدير."
                ),
                classification=Classification.NORMAL,
                priority=Priority.URGENT,
                reply_due=None,
                to=[Entity.objects.get(code="COMSEC")],
                cc=[Entity.objects.get(code="GOV-MYS")],
            ),
        )
        if letter.status == LetterStatus.DRAFT:
            letter = letter_submit(letter=letter, actor=clerk)
        if letter.status == LetterStatus.SUBMITTED:
            letter = letter_approve(letter=letter, actor=head)
        letter = letter_dispatch(letter=letter, actor=clerk)
    assert letter.artifact is not None  # noqa: S101 — dispatched letters are always signed
    return {"letter": verify_url(letter.artifact)}
