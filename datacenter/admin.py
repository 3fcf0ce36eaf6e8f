"""Certificates of authenticity in the admin: records (read-only, see govportal.web.admin);
requests move and certificates are issued only through datacenter.services.

The scanned document is left out (it is served only by the permission-checked view) and the
holder's national ID number is masked, as on the public verify page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from datacenter.models import AuthenticityRequest, Certificate
from datacenter.services import certificate_revoke
from govportal.verification.constants import ArtifactStatus
from govportal.web.admin import (
    ReasonForm,
    RecordAction,
    RecordAdmin,
    has_pdf,
    masked,
    operator,
    pdf_render_again_action,
)


@admin.register(AuthenticityRequest)
class AuthenticityRequestAdmin(RecordAdmin):
    list_display = [
        "reference",
        "requesting_entity",
        "issuing_entity",
        "document_type",
        "document_number",
        "status",
        "submitted_at",
        "due_at",
        "answered_at",
    ]
    list_filter = ["status", "document_type"]
    search_fields = ["reference__exact", "document_number__exact", "=issuing_entity__code", "=requesting_entity__code"]
    list_select_related = ["requesting_entity", "issuing_entity"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    exclude = ["attachment", "holder_national_id", "holder_name_search"]
    readonly_fields = ["national_id"]

    @admin.display(description=_("holder's national ID number"))
    def national_id(self, item: AuthenticityRequest) -> str:
        return masked(item.holder_national_id)


def _certificate_revoke(request: HttpRequest, certificate: Certificate, data: dict[str, Any]) -> None:
    certificate_revoke(certificate=certificate, reason=data["reason"], actor=operator(request), request=request)


@admin.register(Certificate)
class CertificateAdmin(RecordAdmin):
    list_display = [
        "serial",
        "issuing_entity",
        "requesting_entity",
        "outcome",
        "document_type",
        "document_number",
        "issued_at",
        "status",
        "legacy",
        has_pdf,
    ]
    list_filter = ["outcome", "artifact__status", "legacy", "document_type"]
    search_fields = ["serial__exact", "document_number__exact", "=issuing_entity__code"]
    list_select_related = ["issuing_entity", "requesting_entity", "artifact"]
    date_hierarchy = "issued_at"
    show_full_result_count = False
    exclude = ["pdf", "holder_national_id"]
    readonly_fields = ["national_id", "status"]

    record_actions = [
        RecordAction(
            name="revoke",
            label=_("Revoke the selected certificates"),
            button=_("Revoke this certificate"),
            run=_certificate_revoke,
            done=lambda n: (
                ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", n) % {"count": n}
            ),
            applies=lambda certificate: certificate.artifact.status == ArtifactStatus.VALID,
            consequences=[
                _(
                    "Its verify page and QR code show it as revoked at once, to anyone who checks it, "
                    "with the reason you give."
                ),
                _("A revoked certificate cannot be made valid again: the issuer would have to issue a new one."),
                _("The requesting entity's staff are told, and the revocation is recorded in the audit log."),
            ],
            form=ReasonForm,
            confirm=_("Yes, revoke the certificate"),
            who=_(
                "Only the head of the issuing entity revokes its certificates: an administrator needs that role "
                "there first (granted on the Memberships page, audited)."
            ),
            not_applicable=_("It is already revoked or replaced."),
        ),
        pdf_render_again_action(
            replaced=_(
                "The stored PDF of each selected certificate is replaced by a new rendering of the certificate."
            ),
            done=lambda n: (
                ngettext(
                    "The PDF of %(count)d certificate was rendered again.",
                    "The PDFs of %(count)d certificates were rendered again.",
                    n,
                )
                % {"count": n}
            ),
        ),
    ]

    @admin.display(description=_("holder's national ID number"))
    def national_id(self, certificate: Certificate) -> str:
        return masked(certificate.holder_national_id)

    @admin.display(description=_("status"), ordering="artifact__status")
    def status(self, certificate: Certificate) -> str:
        return certificate.artifact.get_status_display()
