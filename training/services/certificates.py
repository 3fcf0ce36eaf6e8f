"""Certificates: signing a completed place's certificate, and its PDF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf.services import pdf_queue
from govportal.verification import display
from govportal.verification.constants import ArtifactKind
from govportal.verification.models import Artifact
from govportal.verification.services import Signer, canonical_bytes, mask_id, mask_name, verify_url
from training.constants import CERTIFICATE_REGISTER
from training.models import Enrollment, TrainingCertificate
from training.services.common import _coordinators, _tell_trainee

# --- certificates --------------------------------------------------------------------------------------


def certificate_content(certificate: TrainingCertificate) -> bytes:
    """The canonical bytes the signature's digest covers: every fact the certificate states."""
    enrollment = certificate.enrollment
    session, trainee = enrollment.session, enrollment.trainee
    facts = {
        "serial": certificate.serial,
        "issuer": certificate.issuing_entity.code,
        "programme": session.programme.code,
        "hours": session.programme.hours,
        "from": session.start_date.isoformat(),
        "to": session.end_date.isoformat(),
        "trainee_name": trainee.full_name,
        "trainee_national_id": trainee.national_id,
        "institution": trainee.entity.code,
        "score": enrollment.score,
        "issued_at": certificate.issued_at.isoformat(),
    }
    return canonical_bytes(facts)


def certificate_display(certificate: TrainingCertificate) -> list[tuple[str, display.Value]]:
    """What the public verify page shows: labels are msgids, personal data masked; the programme and
    the institution in both languages and the dates as values, shown in the reader's language."""
    enrollment = certificate.enrollment
    session, trainee = enrollment.session, enrollment.trainee
    programme = session.programme
    return [
        (gettext_noop("Programme"), display.both(ar=programme.title_ar, en=programme.title_en or programme.title_ar)),
        (gettext_noop("Hours"), str(programme.hours)),
        (gettext_noop("Dates"), display.days(session.start_date, session.end_date)),
        (gettext_noop("Trainee"), certificate_holder(certificate)),
        (gettext_noop("National ID number"), display.ltr(mask_id(trainee.national_id))),
        (gettext_noop("Institution"), display.entity(trainee.entity)),
    ]


def certificate_holder(certificate: TrainingCertificate) -> str:
    """The trainee's name as the verify page shows it and the token carries it: initials only."""
    return mask_name(certificate.enrollment.trainee.full_name)


def certificate_issue(*, enrollment: Enrollment, actor: User) -> TrainingCertificate:
    """Sign a certificate for a completed place: serial gapless per (organising entity, year)."""
    owner = enrollment.session.programme.owner
    now = timezone.now()
    number = counter_next(entity=owner, register=CERTIFICATE_REGISTER, year=now.year)
    certificate = TrainingCertificate(
        serial=f"{owner.code}-TR-{now.year}-{number:06d}",
        enrollment=enrollment,
        issuing_entity=owner,
        issued_at=now,
        issued_by=actor,
    )
    artifact: Artifact = Signer(owner).artifact(
        kind=ArtifactKind.TRAINING_CERTIFICATE,
        serial=certificate.serial,
        issued_at=now,
        content=certificate_content(certificate),
        display=certificate_display(certificate),
        holder=certificate_holder(certificate),
    )
    artifact.save(force_insert=True)
    certificate.artifact = artifact
    certificate.save(force_insert=True)
    audit_record(
        action="training_certificate_issue",
        actor=actor,
        entity=owner,
        target=certificate,
        data={"enrollment": enrollment.pk, "serial": certificate.serial},
    )
    pdf_queue(certificate)
    params = {"name": enrollment.trainee.full_name, "serial": certificate.serial}
    url = reverse("training:certificate_detail", args=[certificate.pk])
    message = gettext_noop("%(name)s completed the training: certificate %(serial)s.")
    notify(users=_coordinators(enrollment.trainee.entity), message=message, params=params, url=url, email=False)
    _tell_trainee(enrollment.trainee, message, params, url)
    return certificate


def certificate_pdf_context(certificate: TrainingCertificate) -> dict[str, Any]:
    enrollment = certificate.enrollment
    return {
        "certificate": certificate,
        "enrollment": enrollment,
        "session": enrollment.session,
        "programme": enrollment.session.programme,
        "trainee": enrollment.trainee,
        "entity": certificate.issuing_entity,
        "dates": f"{enrollment.session.start_date:%Y-%m-%d} – {enrollment.session.end_date:%Y-%m-%d}",
        "score": f"{enrollment.score} / 100",
        "verify_url": verify_url(certificate.artifact),
        "serial": certificate.serial,
        "issued_at": certificate.issued_at,
        "site_url": settings.SITE_URL,
    }
