"""Importing a settlement file and reconciling it: the writes, each audited."""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import psycopg
from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.constants import Provider, SettlementStatus
from collection.models import MerchantAccount, SettlementFile
from collection.reconciliation.formats import FORMATS
from collection.reconciliation.matching import judge, keep, lock_provider, match, settle
from collection.reconciliation.progress import progress_clear, progress_set
from collection.reconciliation.reading import (
    SETTLEMENT_FORMATS,
    FileCheck,
    Read,
    Stage,
    copy_file,
    read_rows,
    temp_buffers_roomy,
    work_mem_roomy,
)
from govportal.accounts.constants import Role
from govportal.accounts.models import User
from govportal.accounts.selectors import entities_of
from govportal.audit.services import audit_record
from govportal.entities.models import Entity
from govportal.importing import CHUNK, CsvScan, scan_csv
from govportal.tasks import enqueue

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.FUND_OFFICER, Role.ENTITY_HEAD)


MAX_FILE_BYTES = 200 * 1024 * 1024


def _scan(handle: IO[bytes], provider: str) -> CsvScan:
    """Check, by its content, that the file is UTF-8 CSV text with this provider's header and rows."""
    columns = SETTLEMENT_FORMATS[provider]
    wrong = _("This is not a settlement file of %(provider)s: its first line must be %(columns)s.") % {
        "provider": Provider(provider).label,
        "columns": ",".join(columns),
    }
    return scan_csv(handle, max_bytes=MAX_FILE_BYTES, columns=columns, wrong_header=wrong)


@contextmanager
def _opened(content: bytes | None, source: str | Path | IO[bytes] | None) -> Iterator[IO[bytes]]:
    if content is not None:
        yield io.BytesIO(content)
    elif isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            yield handle
    elif source is not None:
        source.seek(0)
        yield source
    else:
        raise TypeError("give either content or source")


def can_import(user: Any) -> bool:
    return bool(user.is_superuser) or entities_of(user, roles=IMPORT_ROLES).exists()


def import_entities(user: Any) -> Any:
    """The collecting entities whose settlement files ``user`` may import."""
    return entities_of(user, roles=IMPORT_ROLES).order_by("code")


def _first_row(handle: IO[bytes]) -> list[str]:
    """The first row after the header (the scan has found one), for the account it names."""
    opening = handle.read(CHUNK).decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(opening, newline=""))
    next(rows, None)
    return next(rows, [])


def _owner(*, provider: str, account: str, actor: User | None, entity: Entity | None) -> Entity | None:
    """The collecting entity a file belongs to, refusing one ``actor`` may not import.

    A file that names a merchant account (acquirer, FIB) belongs to the entity of that account;
    a sandbox file to the entity it is imported for (``entity``, or the importer's only one).
    None only for a sandbox file the system or an administrator imports for every entity."""
    mine = import_entities(actor) if actor is not None else Entity.objects.none()
    if FORMATS[provider].account_column is not None:
        found = MerchantAccount.objects.select_related("entity").filter(provider=provider, account_id=account).first()
        if found is None:
            raise ValidationError(
                _(
                    "The file reports the merchant account %(account)s of %(provider)s, which no collecting entity "
                    "has. An administrator adds it under merchant accounts."
                )
                % {"account": account, "provider": Provider(provider).label},
                code="account",
            )
        owner: Entity = found.entity
    elif entity is not None:
        owner = entity
    elif actor is None or actor.is_superuser and not mine.exists():
        return None
    else:
        choices = list(mine[:2])
        if len(choices) != 1:
            raise ValidationError(_("Choose the collecting entity whose file this is."), code="entity")
        owner = choices[0]
    if actor is not None and not actor.is_superuser and not mine.filter(pk=owner.pk).exists():
        raise ValidationError(
            _(
                "This file reports the merchant account of another collecting entity: only that entity's fund "
                "officers and head may import it."
            ),
            code="other_entity",
        )
    return owner


def _discard(settlement: SettlementFile) -> None:
    """Remove a failed import (it kept no rows) so that the same file can be imported again."""
    if settlement.upload:
        settlement.upload.delete(save=False)
    settlement.delete()


def settlement_import(
    *,
    provider: str,
    name: str,
    content: bytes | None = None,
    source: str | Path | IO[bytes] | None = None,
    actor: Any = None,
    entity: Entity | None = None,
    run_now: bool = False,
    request: HttpRequest | None = None,
) -> SettlementFile:
    """Store a provider's settlement file once and reconcile it (now, or in a task on commit).

    The file belongs to a collecting entity (``_owner``): the one of the merchant account it
    reports, or for a sandbox file ``entity`` (by default the importer's only entity). A person
    imports only their own entity's files, and a file settles only its entity's payments.

    ``content`` is the file's bytes; for big files give ``source`` instead (a path or a binary
    file object, read in chunks). A file whose content was imported before for this provider is
    refused (code ``duplicate_file``), unless that import failed. ``actor`` None is the system
    (the nightly fetch, the command line); a person must be a fund officer or head of an entity.
    """
    if actor is not None and not can_import(actor):
        raise PermissionDenied
    if provider not in FORMATS:
        raise ValidationError(
            _("Settlement files of %(provider)s cannot be read yet.")
            % {"provider": Provider(provider).label if provider in Provider.values else provider},
            code="provider",
        )
    with _opened(content, source) as handle:
        scan = _scan(handle, provider)
        handle.seek(0)
        account = FORMATS[provider].account_of(_first_row(handle))[:40]
        handle.seek(0)
        owner = _owner(provider=provider, account=account, actor=actor, entity=entity)
        with transaction.atomic():
            existing = SettlementFile.objects.select_for_update().filter(provider=provider, sha256=scan.sha256).first()
            if existing is not None:
                if existing.status != SettlementStatus.FAILED:
                    raise _duplicate(existing)
                _discard(existing)
            settlement = SettlementFile(
                provider=provider,
                sha256=scan.sha256,
                name=Path(name).name[:200] or f"{scan.sha256}.csv",
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                rows_total=scan.rows,
                entity=owner,
                account=account,
            )
            settlement.upload.save(f"{scan.sha256}.csv", File(handle), save=False)
            try:
                with transaction.atomic():
                    settlement.save(force_insert=True)
            except IntegrityError as error:  # the same file, imported at the same moment
                settlement.upload.delete(save=False)
                raise _duplicate(None) from error
            audit_record(
                action="settlement_import", actor=actor, target=settlement, request=request,
                data={
                    "provider": provider, "name": settlement.name, "sha256": scan.sha256, "bytes": scan.size,
                    "entity": owner.code if owner else None, "account": account,
                },
            )  # fmt: skip
            if not run_now:
                pk = str(settlement.pk)
                enqueue("collection.reconciliation.settlement_reconcile", pk)
    if run_now:
        return settlement_reconcile_now(settlement)
    return settlement


def _duplicate(existing: SettlementFile | None) -> ValidationError:
    if existing is None:
        return ValidationError(_("This settlement file has already been imported."), code="duplicate_file")
    return ValidationError(
        _("This settlement file has already been imported (%(name)s, %(when)s).")
        % {"name": existing.name, "when": timezone.localtime(existing.created_at).strftime("%Y-%m-%d %H:%M")},
        code="duplicate_file",
    )


class _BadFile(Exception):
    def __init__(self, read: Read) -> None:
        self.read = read


def settlement_reconcile_now(settlement: SettlementFile) -> SettlementFile:
    """Read, check and match a stored settlement file; safe to repeat (a reconciled file is left alone).

    Every row is checked; if any is bad the file is marked failed with every bad row listed
    and nothing else changes. Otherwise the rows, the settled payments and the discrepancies
    are written in one transaction, and the file is marked reconciled with its counts.
    """
    with transaction.atomic():
        current = SettlementFile.objects.select_for_update().get(pk=settlement.pk)
        if current.status == SettlementStatus.DONE:
            return current
        current.status, current.rows_done, current.errors = SettlementStatus.PROCESSING, 0, []
        current.save(update_fields=["status", "rows_done", "errors"])
    progress_set(current, "reading", 0, current.rows_total)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            current = SettlementFile.objects.select_for_update().get(pk=settlement.pk)
            if current.status == SettlementStatus.DONE:  # another worker finished it meanwhile
                return current
            _reconcile(current)
    except _BadFile as bad:
        return _fail(settlement, bad.read.error_list(), rows=bad.read.rows)
    except Exception:
        logger.exception("settlement file %s could not be reconciled", settlement.pk)
        _fail(settlement, [{"line": None, "codes": ["internal"]}], rows=0)
        raise
    finally:
        progress_clear(settlement)
    logger.info("settlement file %s reconciled and committed in %.1f s", current.pk, time.perf_counter() - started)
    return current


def _reconcile(current: SettlementFile) -> None:
    """The work of one reconciliation, inside the caller's transaction (which holds the file's lock)."""
    lock_provider(current.provider)
    work_mem_roomy()
    steps: dict[str, float] = {}
    started = time.perf_counter()
    read = _stage_and_judge(current, steps)
    progress_set(current, "matching", read.rows, read.rows)
    now = timezone.now()
    matched = match(current, read, now, steps)
    current.counts, current.entity_counts = matched.counts, matched.entity_counts
    logger.info(
        "settlement file %s: %d rows %s in %.1f s, judged and matched in %.1f s (%s)",
        current.pk, read.rows, "copied and checked in the database" if read.copied else "read, checked and staged",
        steps["read"], time.perf_counter() - started - steps["read"],
        ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items() if step != "read"),
    )  # fmt: skip
    current.status = SettlementStatus.DONE
    current.rows_total = current.rows_done = read.rows
    current.settled_from, current.settled_to = read.first, read.last
    current.finished_at = now
    current.save(
        update_fields=[
            "counts", "entity_counts", "status", "rows_total", "rows_done", "settled_from", "settled_to", "finished_at",
        ]
    )  # fmt: skip
    audit_record(
        action="settlement_reconcile", target=current,
        data={"provider": current.provider, "rows": read.rows, "counts": current.counts},
    )  # fmt: skip


def _stage_and_judge(current: SettlementFile, steps: dict[str, float]) -> Read:
    """Every row of the file checked and staged, judged against our payments, the payments it
    confirms settled, and the lines that settled nothing kept (``judge``, ``settle``,
    ``keep``); raises ``_BadFile`` listing the bad rows.

    On PostgreSQL the file is first taken as it is, by COPY, and judged at once, while a second
    connection checks it (``FileCheck``); if the file is not plainly good, all of that is rolled
    back and the file is read row by row, as on SQLite.
    """
    started = time.perf_counter()
    fmt = FORMATS[current.provider]
    if connection.vendor == "postgresql" and fmt.raw_columns is not None:
        temp_buffers_roomy()
        check = FileCheck(current)
        try:
            with transaction.atomic():
                with Stage(fmt, raw=True) as stage:
                    if not copy_file(current, stage):
                        raise _NotPlain
                steps["read"] = time.perf_counter() - started
                judge(current, stage, steps)
                settle(current, steps)
                waiting = time.perf_counter()
                read = check.result()
                steps["check"] = time.perf_counter() - waiting
                if read is None:
                    raise _NotPlain
                keep(current, stage, read, steps)
                stage.drop()
                return read
        except (_NotPlain, DatabaseError, psycopg.Error):  # the CSV reader's errors, an impossible date…
            check.result()
            steps.clear()
    with Stage(fmt) as stage:
        read = read_rows(current, stage)
    if not read.ok:
        raise _BadFile(read)
    steps["read"] = time.perf_counter() - started
    judge(current, stage, steps)
    settle(current, steps)
    keep(current, stage, read, steps)
    stage.drop()
    return read


class _NotPlain(Exception):
    pass


def _fail(settlement: SettlementFile, errors: list[dict[str, Any]], *, rows: int) -> SettlementFile:
    with transaction.atomic():
        current = SettlementFile.objects.select_for_update().get(pk=settlement.pk)
        current.status, current.errors, current.finished_at = SettlementStatus.FAILED, errors, timezone.now()
        if rows:
            current.rows_total = rows
        current.save(update_fields=["status", "errors", "finished_at", "rows_total"])
        audit_record(
            action="settlement_reconcile", target=current,
            data={"provider": current.provider, "status": "failed", "bad_rows": len(errors)},
        )  # fmt: skip
    return current


@shared_task(
    name="collection.reconciliation.settlement_reconcile", acks_late=True, soft_time_limit=3600, time_limit=3700
)
def settlement_reconcile(settlement_id: str) -> str | None:
    """Reconcile one imported settlement file (idempotent; exits quietly if the file is gone)."""
    settlement = SettlementFile.objects.filter(pk=settlement_id).first()
    if settlement is None:
        return None
    return str(settlement_reconcile_now(settlement).status)
