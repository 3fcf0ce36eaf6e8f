"""Signing keys and the register of verifiable artifacts: records (see govportal.web.admin).

Keys are created and rotated by ``manage.py signing_key`` (audited); a compromised key is
revoked here or there, through the same service. The private half never appears.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from govportal.verification.constants import KeyStatus
from govportal.verification.models import Artifact, SigningKey, TrustRootKey, VerificationBatch
from govportal.verification.services import key_revoke
from govportal.web.admin import ReadOnlyAdmin, ReasonForm, RecordAction, RecordAdmin, operator


def _key_revoke(request: HttpRequest, key: SigningKey, data: dict[str, Any]) -> None:
    key_revoke(kid=key.kid, reason=data["reason"], actor=operator(request), request=request)


@admin.register(SigningKey)
class SigningKeyAdmin(RecordAdmin):
    list_display = ["kid", "entity", "status", "created_at", "retired_at", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["kid__exact", "=entity__code", "entity__name_ar"]
    list_select_related = ["entity"]
    date_hierarchy = "created_at"
    exclude = ["private_key_encrypted"]
    record_actions = [
        RecordAction(
            name="revoke",
            label=_("Revoke the selected signing keys"),
            button=_("Revoke this key"),
            run=_key_revoke,
            done=lambda n: (
                ngettext("%(count)d signing key revoked.", "%(count)d signing keys revoked.", n) % {"count": n}
            ),
            applies=lambda key: key.status != KeyStatus.REVOKED,
            consequences=[
                _(
                    "The key leaves the public key set at once: every certificate, receipt, statement and letter "
                    "it signed stops verifying, here and in any other software that checks them."
                ),
                _(
                    "A revoked key cannot be brought back; what it signed must be issued again. The entity's next "
                    "document is signed with a new key."
                ),
                _(
                    "Revoke a key only when it is compromised. To change keys routinely, rotate it "
                    "(manage.py signing_key rotate): what it signed keeps verifying."
                ),
                _("The revocation and your reason are recorded in the audit log."),
            ],
            form=ReasonForm,
            confirm=_("Yes, revoke the key"),
            not_applicable=_("It is already revoked."),
        )
    ]


@admin.register(Artifact)
class ArtifactAdmin(RecordAdmin):
    list_display = ["serial", "kind", "entity", "issued_at", "status", "verify_count"]
    list_filter = ["kind", "status"]
    search_fields = ["serial__exact", "=entity__code"]
    list_select_related = ["entity"]
    date_hierarchy = "issued_at"
    show_full_result_count = False


@admin.register(VerificationBatch)
class VerificationBatchAdmin(ReadOnlyAdmin):
    """Auditors' files of documents to check, read-only (their answers are the auditor's download)."""

    list_display = ["name", "entity", "uploaded_by", "status", "rows_total", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["name", "=entity__code", "=uploaded_by__email"]
    list_select_related = ["entity", "uploaded_by"]
    date_hierarchy = "created_at"
    exclude = ["errors", "counts"]


@admin.register(TrustRootKey)
class TrustRootKeyAdmin(ReadOnlyAdmin):
    """The trust root's keys, read-only: they change only through ``manage.py trust_root``, the
    ceremony docs/OPERATIONS.md describes. The private half never appears."""

    list_display = ["kid", "status", "created_at", "retired_at", "revoked_at"]
    list_filter = ["status"]
    exclude = ["private_key_encrypted"]
