"""Demo training for ``seed_demo`` (idempotent): programmes, quotas, sessions, trainees, a certificate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from govportal.accounts.models import User
from govportal.entities.constants import EntityKind
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_render
from govportal.verification.services import verify_url
from training.constants import EnrollmentStatus, System
from training.models import Enrollment, Programme, Quota, Session, TrainingCertificate
from training.services import (
    SessionDetails,
    TraineeDetails,
    attendance_mark,
    enrollment_complete,
    nomination_approve,
    nomination_create,
    quota_set,
    session_create,
    trainee_upsert,
)

PROGRAMMES = [
    (
        "DMS-101",
        System.DOCUMENTS,
        12,
        "إدارة الوثائق الإلكترونية: التسجيل والإرسال والإحالة",
        "Electronic document management: registering, dispatching and referring letters",
        "الكتاب الرسمي من المسودة إلى الإرسال والتسجيل والإحالة والتتبع في النظام الجديد.",
        "The official letter from draft to dispatch, registration, referral and tracking in the new system.",
        "موظفو الصادر والوارد ومديرو المكاتب",
        "Registry clerks and office managers",
    ),
    (
        "COL-101",
        System.COLLECTION,
        8,
        "الجباية الإلكترونية: الدفع بالبطاقة في المنافذ",
        "Electronic collection: card payments at outlets",
        "استيفاء الأقساط والرسوم بالبطاقات الإلكترونية والتسوية اليومية.",
        "Taking installments and fees by card, and the daily reconciliation.",
        "أمناء الصناديق وموظفو الحسابات",
        "Cashiers and accounts staff",
    ),
    (
        "CRT-101",
        System.CERTIFICATES,
        6,
        "تأييد صحة الصدور إلكترونياً",
        "Certificates of authenticity of issuance, electronically",
        "طلب تأييد صحة صدور الوثائق والإجابة عنه والتحقق من رمز QR.",
        "Asking for and answering certificates of authenticity, and checking their QR codes.",
        "موظفو الشؤون الإدارية والقانونية",
        "Administrative and legal staff",
    ),
]
QUOTAS = {"DMS-101": 30, "COL-101": 10, "CRT-101": 8}
EMPLOYEES = [
    ("حسن علي الربيعي", "198501234567", "مسجل الصادرة", "hassan.rubaie@mof.example.iq"),
    ("فاطمة جواد الموسوي", "199003456789", "مديرة مكتب", ""),
    ("كرار عباس الشمري", "199205678901", "موظف الواردة", ""),
]


def _programmes(owner: Entity) -> dict[str, Programme]:
    made = {}
    for code, system, hours, title_ar, title_en, desc_ar, desc_en, audience_ar, audience_en in PROGRAMMES:
        made[code], _created = Programme.objects.get_or_create(
            code=code,
            defaults={
                "owner": owner,
                "system": system,
                "hours": hours,
                "title_ar": title_ar,
                "title_en": title_en,
                "description_ar": desc_ar,
                "description_en": desc_en,
                "audience_ar": audience_ar,
                "audience_en": audience_en,
            },
        )
    return made


def _details(start: dt.date, days: int, capacity: int, venue: str) -> SessionDetails:
    now = timezone.now()
    return SessionDetails(
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        start_time=dt.time(9, 0),
        end_time=dt.time(13, 0),
        venue=venue,
        online_url="",
        capacity=capacity,
        enrollment_opens_at=now - dt.timedelta(days=1),
        enrollment_closes_at=timezone.make_aware(dt.datetime.combine(start, dt.time(0, 0))) - dt.timedelta(days=3),
        lock_days=3,
    )


def demo_training() -> dict[str, Any]:
    """The Secretariat trains; the Ministry of Finance nominates; one trainee completes with a certificate."""
    secretariat, mof = Entity.objects.get(code="COMSEC"), Entity.objects.get(code="MOF")
    admin = User.objects.get(email__startswith="training.admin@")
    programmes = _programmes(secretariat)
    institutions = Entity.objects.filter(kind__in=[EntityKind.MINISTRY, EntityKind.GOVERNORATE])
    for code, seats in QUOTAS.items():
        have = set(Quota.objects.filter(programme=programmes[code]).values_list("entity_id", flat=True))
        for entity in institutions.exclude(pk__in=have):
            quota_set(programme=programmes[code], entity=entity, seats=seats, actor=admin)
    today = timezone.localdate()
    dms = programmes["DMS-101"]
    if not Session.objects.upcoming().filter(programme=dms).exists():
        session_create(
            programme=dms,
            trainer=admin,
            details=_details(today + dt.timedelta(days=14), 3, 30, "قاعة التدريب — الأمانة العامة لمجلس الوزراء"),
            actor=admin,
        )
        session_create(
            programme=programmes["COL-101"],
            trainer=admin,
            details=_details(today + dt.timedelta(days=21), 2, 20, "مركز التدريب — صندوق الإسكان العراقي"),
            actor=admin,
        )
    certificate = TrainingCertificate.objects.filter(enrollment__session__programme=dms).first()
    if certificate is None:
        certificate = _completed_session(dms, mof, admin)
    pdf_render(instance=certificate)
    return {
        "training_certificate": verify_url(certificate.artifact),
        "training_certificate_pdf": reverse("training:certificate_pdf", args=[certificate.pk]),
    }


def _completed_session(programme: Programme, institution: Entity, admin: User) -> TrainingCertificate:
    """A session run last month: three MOF employees, two attended every day, one completes."""
    start = timezone.localdate() + dt.timedelta(days=30)
    session = session_create(
        programme=programme,
        trainer=admin,
        details=_details(start, 2, 25, "قاعة التدريب — الأمانة العامة لمجلس الوزراء"),
        actor=admin,
    )
    enrollments = []
    for name, national_id, title, email in EMPLOYEES:
        trainee = trainee_upsert(
            entity=institution, details=TraineeDetails(name, national_id, title, email, "07701234567")
        )
        nomination = nomination_create(session=session, trainee=trainee, actor=admin)
        enrollments.append(nomination_approve(nomination=nomination, actor=admin))
    # The demo's history: move the session into the past (a month ago) once everyone is placed.
    # Its nomination window moves with it: nominations closed before the lock, as they did then.
    held = timezone.localdate() - dt.timedelta(days=30)
    held_at = timezone.make_aware(dt.datetime.combine(held, dt.time(0, 0)))
    Session.objects.filter(pk=session.pk).update(
        start_date=held,
        end_date=held + dt.timedelta(days=1),
        enrollment_opens_at=held_at - dt.timedelta(days=30),
        enrollment_closes_at=held_at - dt.timedelta(days=session.lock_days),
    )
    session.refresh_from_db()
    present = {enrollments[0].pk, enrollments[1].pk}
    for day in session.days:
        attendance_mark(session=session, day=day, present=present, actor=admin)
    enrollment_complete(enrollment=enrollments[0], score=88, actor=admin)
    enrollment_complete(enrollment=enrollments[2], score=45, actor=admin)
    first = Enrollment.objects.get(pk=enrollments[0].pk)
    assert first.status == EnrollmentStatus.COMPLETED  # noqa: S101 — the demo's own invariant
    return TrainingCertificate.objects.get(enrollment=first)
