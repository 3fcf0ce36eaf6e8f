"""Requests for certificates of authenticity of issuance, and the certificates that answer them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from datacenter.constants import (
    ANSWER_DAYS,
    CERTIFICATE_REGISTER,
    OUTCOME_TEXT,
    REQUEST_REGISTER,
    Outcome,
    RequestStatus,
)
from datacenter.models import AuthenticityRequest, Certificate
from datacenter.selectors import ISSUER_ROLES, REQUESTER_ROLES
from datacenter.uploads import check_scan
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.notifications.services import notify
from govportal.numbering.services import counter_next
from govportal.pdf.services import pdf_queue
from govportal.search import normalize_arabic
from govportal.verification import display
from govportal.verification.constants import ArtifactKind
from govportal.verification.models import Artifact
from govportal.verification.services import Signer, artifact_revoke, canonical_bytes, mask_id, mask_name, verify_url


@dataclass(frozen=True)
class DocumentDetails:
    document_type: str
    document_number: str
    document_date: dt.date
    holder_name: str
    holder_national_id: str


def _require_role(user: User, entity: Entity, roles: tuple[Role, ...]) -> None:
    if not roles_in(user, entity) & {str(role) for role in roles}:
        raise PermissionDenied


def _members(entity: Entity, roles: tuple[Role, ...]) -> list[User]:
    return list(User.objects.filter(memberships__entity=entity, memberships__role__in=roles, is_active=True).distinct())


@transaction.atomic
def request_submit(
    *,
    requesting_entity: Entity,
    issuing_entity: Entity,
    details: DocumentDetails,
    attachment: UploadedFile,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> AuthenticityRequest:
    """Ask ``issuing_entity`` whether it issued a document; its certificate issuers are told."""
    _require_role(actor, requesting_entity, REQUESTER_ROLES)
    if requesting_entity.pk == issuing_entity.pk:
        raise ValidationError({"issuing_entity": _("An entity cannot ask itself to confirm its own document.")})
    checked = check_scan(attachment)
    now = timezone.now()
    number = counter_next(entity=requesting_entity, register=REQUEST_REGISTER, year=now.year)
    item = AuthenticityRequest(
        reference=f"{requesting_entity.code}-R{now.year}-{number:06d}",
        requesting_entity=requesting_entity,
        issuing_entity=issuing_entity,
        document_type=details.document_type,
        document_number=details.document_number.strip(),
        document_date=details.document_date,
        holder_name=details.holder_name.strip(),
        holder_name_search=normalize_arabic(details.holder_name),
        holder_national_id=details.holder_national_id,
        attachment_content_type=checked.content_type,
        attachment_sha256=checked.sha256,
        note=note.strip(),
        submitted_by=actor,
        submitted_at=now,
        due_at=now + dt.timedelta(days=ANSWER_DAYS),
    )
    item.attachment.save("scan", attachment, save=False)
    item.save(force_insert=True)
    audit_record(
        action="authenticity_request_submit",
        actor=actor,
        entity=requesting_entity,
        target=item,
        data={"issuing_entity": issuing_entity.code, "sha256": checked.sha256},
        request=request,
    )
    notify(
        users=_members(issuing_entity, ISSUER_ROLES),
        message=gettext_noop("New request to confirm a document: %(reference)s from %(entity)s."),
        params={"reference": item.reference, "entity": requesting_entity.name_ar},
        url=reverse("datacenter:request_detail", args=[item.pk]),
    )
    return item


def _locked(item: AuthenticityRequest, *, allowed: tuple[str, ...]) -> AuthenticityRequest:
    item = AuthenticityRequest.objects.select_for_update().get(pk=item.pk)
    if item.status not in allowed:
        raise ValidationError(
            _("This request is %(status)s; that cannot be done now.") % {"status": item.get_status_display()},
            code="wrong_state",
        )
    return item


@transaction.atomic
def request_start_review(
    *, item: AuthenticityRequest, actor: User, request: HttpRequest | None = None
) -> AuthenticityRequest:
    _require_role(actor, item.issuing_entity, ISSUER_ROLES)
    item = _locked(item, allowed=(RequestStatus.SUBMITTED,))
    item.status = RequestStatus.UNDER_REVIEW
    item.save(update_fields=["status"])
    audit_record(
        action="authenticity_request_review", actor=actor, entity=item.issuing_entity, target=item, request=request
    )
    return item


@transaction.atomic
def request_return(
    *, item: AuthenticityRequest, reason: str, actor: User, request: HttpRequest | None = None
) -> AuthenticityRequest:
    """Send the request back to the requester: something is missing or unreadable."""
    _require_role(actor, item.issuing_entity, ISSUER_ROLES)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is missing, so that the requester can add it.")})
    item = _locked(item, allowed=(RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW))
    item.status, item.returned_reason = RequestStatus.RETURNED, reason.strip()
    item.save(update_fields=["status", "returned_reason"])
    audit_record(
        action="authenticity_request_return", actor=actor, entity=item.issuing_entity, target=item, request=request
    )
    notify(
        users=_members(item.requesting_entity, REQUESTER_ROLES),
        message=gettext_noop("Request %(reference)s was returned for more information."),
        params={"reference": item.reference},
        url=reverse("datacenter:request_detail", args=[item.pk]),
    )
    return item


@transaction.atomic
def request_resubmit(
    *, item: AuthenticityRequest, note: str, actor: User, request: HttpRequest | None = None
) -> AuthenticityRequest:
    _require_role(actor, item.requesting_entity, REQUESTER_ROLES)
    if not note.strip():
        raise ValidationError({"note": _("Answer what the issuing entity asked for.")})
    item = _locked(item, allowed=(RequestStatus.RETURNED,))
    item.status = RequestStatus.SUBMITTED
    item.note = f"{item.note}\n\n{note.strip()}".strip()
    item.due_at = timezone.now() + dt.timedelta(days=ANSWER_DAYS)
    item.save(update_fields=["status", "note", "due_at"])
    audit_record(
        action="authenticity_request_resubmit", actor=actor, entity=item.requesting_entity, target=item, request=request
    )
    notify(
        users=_members(item.issuing_entity, ISSUER_ROLES),
        message=gettext_noop("Request %(reference)s was sent again with the information asked for."),
        params={"reference": item.reference},
        url=reverse("datacenter:request_detail", args=[item.pk]),
    )
    return item


def certificate_serial(entity: Entity, year: int, number: int) -> str:
    return f"{entity.code}-{year}-{number:06d}"


def certificate_content(certificate: Certificate) -> bytes:
    """The canonical bytes the signature's digest covers: every fact the certificate states."""
    facts = {
        "serial": certificate.serial,
        "issuer": certificate.issuing_entity.code,
        "outcome": certificate.outcome,
        "document_type": certificate.document_type,
        "document_number": certificate.document_number,
        "document_date": certificate.document_date.isoformat(),
        "holder_name": certificate.holder_name,
        "holder_national_id": certificate.holder_national_id,
        "issued_at": certificate.issued_at.isoformat(),
    }
    return canonical_bytes(facts)


def certificate_display(certificate: Certificate) -> list[tuple[str, display.Value]]:
    """What the public verify page shows: labels are msgids, personal data masked, the answer a
    msgid and the document's date a value (both shown in the reader's language)."""
    return [
        (gettext_noop("Answer"), OUTCOME_TEXT[Outcome(certificate.outcome)]),
        (gettext_noop("Document"), display.dated(certificate.document_number, certificate.document_date)),
        (gettext_noop("Holder"), certificate_holder(certificate)),
        (gettext_noop("National ID number"), display.ltr(mask_id(certificate.holder_national_id))),
    ]


def certificate_holder(certificate: Certificate) -> str:
    """The holder's name as the verify page shows it and the token carries it: initials only."""
    return mask_name(certificate.holder_name)


def certificate_sign(certificate: Certificate, signer: Signer) -> Artifact:
    return signer.artifact(
        kind=ArtifactKind.CERTIFICATE,
        serial=certificate.serial,
        issued_at=certificate.issued_at,
        content=certificate_content(certificate),
        display=certificate_display(certificate),
        holder=certificate_holder(certificate),
    )


@transaction.atomic
def request_answer(
    *,
    item: AuthenticityRequest,
    outcome: str,
    reason: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Certificate:
    """Answer with a signed certificate (gapless serial per issuer per year); its PDF renders in a task."""
    _require_role(actor, item.issuing_entity, ISSUER_ROLES)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose whether the document was issued by your entity.")})
    if outcome == Outcome.NOT_CONFIRMED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason the document is not confirmed.")})
    item = _locked(item, allowed=(RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW))
    now = timezone.now()
    number = counter_next(entity=item.issuing_entity, register=CERTIFICATE_REGISTER, year=now.year)
    certificate = Certificate(
        serial=certificate_serial(item.issuing_entity, now.year, number),
        issuing_entity=item.issuing_entity,
        requesting_entity=item.requesting_entity,
        request=item,
        outcome=outcome,
        reason=reason.strip() if outcome == Outcome.NOT_CONFIRMED else "",
        document_type=item.document_type,
        document_number=item.document_number,
        document_date=item.document_date,
        holder_name=item.holder_name,
        holder_national_id=item.holder_national_id,
        issued_at=now,
        issued_by=actor,
    )
    artifact = certificate_sign(certificate, Signer(item.issuing_entity))
    artifact.save(force_insert=True)
    certificate.artifact = artifact
    certificate.save(force_insert=True)
    item.status, item.answered_by, item.answered_at = RequestStatus.ANSWERED, actor, now
    item.save(update_fields=["status", "answered_by", "answered_at"])
    audit_record(
        action="certificate_issue",
        actor=actor,
        entity=item.issuing_entity,
        target=certificate,
        data={"request": item.reference, "outcome": outcome},
        request=request,
    )
    pdf_queue(certificate)
    notify(
        users=_members(item.requesting_entity, REQUESTER_ROLES),
        message=gettext_noop("Request %(reference)s has been answered: certificate %(serial)s."),
        params={"reference": item.reference, "serial": certificate.serial},
        url=reverse("datacenter:certificate_detail", args=[certificate.pk]),
    )
    return certificate


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, actor: User, request: HttpRequest | None = None
) -> Certificate:
    """Only the issuing entity's head revokes; the public verify page shows it at once."""
    _require_role(actor, certificate.issuing_entity, (Role.ENTITY_HEAD,))
    artifact_revoke(artifact=certificate.artifact, reason=reason, actor=actor, request=request)
    audit_record(
        action="certificate_revoke",
        actor=actor,
        entity=certificate.issuing_entity,
        target=certificate,
        data={"reason": reason},
        request=request,
    )
    if certificate.requesting_entity is not None:
        notify(
            users=_members(certificate.requesting_entity, REQUESTER_ROLES),
            message=gettext_noop("Certificate %(serial)s has been revoked by its issuer."),
            params={"serial": certificate.serial},
            url=reverse("datacenter:certificate_detail", args=[certificate.pk]),
        )
    return certificate


def certificate_pdf_context(certificate: Certificate) -> dict[str, Any]:
    return {
        "certificate": certificate,
        "entity": certificate.issuing_entity,
        "verify_url": verify_url(certificate.artifact),
        "serial": certificate.serial,
        "issued_at": certificate.issued_at,
        "site_url": settings.SITE_URL,
    }
