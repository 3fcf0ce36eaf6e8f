"""Printed registers: asked for on the register page, rendered by the worker, kept for a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import selectors
from documents.constants import EXPORT_KEEP_HOURS, PDF_ROW_LIMIT, ExportStatus, RegisterKind
from documents.models import RegisterExport
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.pdf.services import pdf_queue

EXPORT_KEEP = dt.timedelta(hours=EXPORT_KEEP_HOURS)
FILTER_NAMES = ("date_from", "date_to", "counterpart", "status", "classification", "q")


def filters_dump(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The register filter form's cleaned values as JSON: dates in ISO form, the entity by id,
    unset filters left out."""
    dumped: dict[str, Any] = {}
    for name in FILTER_NAMES:
        value = cleaned.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Entity):
            value = value.pk
        dumped[name] = value
    return dumped


def filters_load(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the register selectors take them (the entity stays an id, which they accept)."""
    loaded = dict(filters)
    for name in ("date_from", "date_to"):
        if loaded.get(name):
            loaded[name] = dt.date.fromisoformat(loaded[name])
    return loaded


def export_expired(export: RegisterExport, now: dt.datetime | None = None) -> bool:
    return export.created_at < (now or timezone.now()) - EXPORT_KEEP


@transaction.atomic
def register_export_request(*, user: User, entity: Entity, kind: str, filters: dict[str, Any]) -> RegisterExport:
    """Have the worker print ``entity``'s register as ``user`` sees it, with these filters (the
    filter form's cleaned values). A second click while the same one is still being prepared gets
    that one. The person's own printouts past their day are deleted on the way."""
    if not roles_in(user, entity) & {str(role) for role in selectors.STAFF_ROLES}:
        raise PermissionDenied
    kind = RegisterKind(kind)
    wanted = filters_dump(filters)
    register_exports_purge(user=user)
    pending = RegisterExport.objects.filter(
        requested_by=user,
        entity=entity,
        kind=kind,
        status=ExportStatus.PENDING,
        created_at__gte=timezone.now() - EXPORT_KEEP,
    )
    for export in pending:
        if export.filters == wanted:
            return export
    export = RegisterExport.objects.create(entity=entity, kind=kind, filters=wanted, requested_by=user)
    audit_record(action="register_export", actor=user, entity=entity, target=export, data={"kind": kind, **wanted})
    pdf_queue(export)
    return export


def register_export_context(export: RegisterExport) -> dict[str, Any]:
    """The printed register: the first ``PDF_ROW_LIMIT`` rows of what its requester sees now."""
    filters = filters_load(export.filters)
    if export.kind == RegisterKind.OUTGOING:
        rows: Any = selectors.register_outgoing(export.requested_by, export.entity, filters)
    else:
        rows = selectors.register_incoming(export.requested_by, export.entity, filters)
    return {
        "entity": export.entity,
        "document_title": _("Outgoing register") if export.kind == RegisterKind.OUTGOING else _("Incoming register"),
        "kind": export.kind,
        "rows": rows[:PDF_ROW_LIMIT],
        "truncated": rows[PDF_ROW_LIMIT : PDF_ROW_LIMIT + 1].exists(),
        "limit": PDF_ROW_LIMIT,
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
        "printed_at": timezone.now(),
    }


def register_export_filename(export: RegisterExport) -> str:
    return f"{export.kind}-{export.entity.code}-{timezone.localtime(export.created_at):%Y-%m-%d-%H%M}.pdf"


@transaction.atomic
def register_exports_purge(*, user: User | None = None, now: dt.datetime | None = None) -> int:
    """Delete up to 1,000 printed registers older than a day, rows and then files (only ``user``'s
    when given). A printout is a copy of what was visible then, possibly confidential subjects:
    it is not kept beyond its use. Returns how many were deleted."""
    old = RegisterExport.objects.filter(created_at__lt=(now or timezone.now()) - EXPORT_KEEP)
    if user is not None:
        old = old.filter(requested_by=user)
    gone = list(old.values_list("pk", "file")[:1000])
    if not gone:
        return 0
    RegisterExport.objects.filter(pk__in=[pk for pk, _file in gone]).delete()
    files = [name for _pk, name in gone if name]
    storage = RegisterExport._meta.get_field("file").storage

    def delete_files() -> None:
        for name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    audit_record(action="register_exports_purge", actor=user, data={"count": len(gone)})
    return len(gone)


def export_status_done() -> dict[str, Any]:
    return {"status": ExportStatus.READY, "finished_at": timezone.now()}


def export_status_failed() -> dict[str, Any]:
    return {"status": ExportStatus.FAILED, "finished_at": timezone.now()}
