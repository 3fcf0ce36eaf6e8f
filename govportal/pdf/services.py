"""Render a registered document's PDF and keep it: once, in Arabic, by whichever process asks first.

Receipts, certificates, training certificates, statements, letters and register exports all go
through ``pdf_render``; the worker reaches it through the one task, ``govportal.pdf.tasks.pdf_render``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.pdf.printables import Printable, printable_for, printables
from govportal.pdf.render import render_to_pdf
from govportal.tasks import enqueue

PDF_RENDER_TASK = "govportal.pdf.tasks.pdf_render"
REQUEUE_AFTER = dt.timedelta(seconds=60)  # a page still waiting asks the worker again after this
SLOW_AFTER = dt.timedelta(minutes=3)  # a page waiting longer says so and stops refreshing by itself
SWEEP_AFTER = dt.timedelta(minutes=5)  # a document this old without its PDF was lost on the way
SWEEP_LIMIT = 1000  # renders one sweep queues per kind of document at most


def _load(printable: Printable, pk: Any) -> models.Model | None:
    return printable.model._default_manager.select_related(*printable.select_related).filter(pk=pk).first()


def pdf_render[M: models.Model](
    *, instance: M, force: bool = False, actor: User | None = None, request: HttpRequest | None = None
) -> M:
    """Render ``instance``'s PDF from its registered template and store it in its FileField,
    unless it is there already; ``force`` renders it anew and replaces it (an operator's
    action: audited as ``pdf_rerender``). Returns the object as stored, read afresh.

    The official copy is Arabic whoever asks, so it is rendered in ``LANGUAGE_CODE``.

    Safe to repeat and to race: rendering (a second or so) happens outside any lock; then, under
    the row's lock, the file is stored only if the field is still empty. A render that lost the
    race drops its bytes and writes nothing, so there is never a second file nor a field that
    names a file that is not there. A replaced file is deleted once the new name is committed.
    """
    printable = printable_for(instance)
    fresh = _load(printable, instance.pk)
    if fresh is None:
        raise ObjectDoesNotExist(f"{printable.label} {instance.pk} is gone")
    if getattr(fresh, printable.field) and not force:
        return fresh  # type: ignore[return-value]
    with translation.override(settings.LANGUAGE_CODE):
        content = render_to_pdf(printable.template, printable.context(fresh))
    _store(printable, fresh, content, force=force, actor=actor, request=request)
    return fresh  # type: ignore[return-value]


def _store(
    printable: Printable,
    instance: models.Model,
    content: bytes,
    *,
    force: bool,
    actor: User | None,
    request: HttpRequest | None,
) -> None:
    field = printable.field
    field_file = getattr(instance, field)
    stored = ""
    try:
        with transaction.atomic():
            row = printable.model._default_manager.select_for_update().filter(pk=instance.pk).values(field).first()
            if row is None:  # deleted while we rendered
                return
            previous = row[field]
            if previous and not force:  # another render stored it while we rendered: keep that one
                setattr(instance, field, previous)
                return
            field_file.save(printable.filename(instance), ContentFile(content), save=False)
            stored = field_file.name
            changes = {field: stored, **(printable.done() if printable.done else {})}
            printable.model._default_manager.filter(pk=instance.pk).update(**changes)
            for name, value in changes.items():
                setattr(instance, name, value)
            if previous and previous != stored:
                storage = field_file.storage
                transaction.on_commit(lambda: storage.delete(previous))
            if force:
                audit_record(
                    action="pdf_rerender",
                    actor=actor,
                    target=instance,
                    data={"kind": printable.label, "file": stored, "replaced": previous},
                    request=request,
                )
    except BaseException:
        if stored:  # written, but the row never named it
            field_file.storage.delete(stored)
        raise


def pdf_render_pk(*, label: str, pk: str, force: bool = False) -> str | None:
    """The worker's way in: render the ``label`` object ``pk`` unless it is gone or (without
    ``force``) already has its file. Returns the stored file's name, or None when it is gone."""
    printable = printable_for(label)
    instance = _load(printable, pk)
    if instance is None:
        return None
    if getattr(instance, printable.field) and not force:
        return str(getattr(instance, printable.field).name)
    rendered = pdf_render(instance=instance, force=force)
    return str(getattr(rendered, printable.field).name) or None


def pdf_render_failed(*, label: str, pk: str) -> int:
    """The worker gave up on this object's PDF: record it where its model says (an export's
    status), unless a file was stored after all. Returns the number of rows marked."""
    printable = printable_for(label)
    if printable.failed is None:
        return 0
    return printable.model._default_manager.filter(pk=pk, **{printable.field: ""}).update(**printable.failed())


def pdf_queue(instance: models.Model, *, force: bool = False) -> None:
    """Have the worker render ``instance``'s PDF after the current transaction commits.

    Nothing else: the services that issue documents call this inside their transaction (a
    payment's, for receipts), where a cache or broker outage must not get in the way."""
    printable = printable_for(instance)
    if force:
        enqueue(PDF_RENDER_TASK, printable.label, str(instance.pk), force=True)
    else:
        enqueue(PDF_RENDER_TASK, printable.label, str(instance.pk))


@dataclass(frozen=True)
class Waiting:
    """A PDF someone is waiting for: since when, and whether that is longer than it should be."""

    since: dt.datetime
    slow: bool


def pdf_ensure(instance: models.Model) -> Waiting | None:
    """For a page that shows a PDF: ``None`` when the file is there (``instance`` then names it),
    else queue its render and say since when it is awaited.

    A page refreshing every few seconds queues it once a minute at most (so a render the broker
    lost is asked for again; a second render task finds the file and exits). Without a worker (the
    embedded mode) the render runs at once, and the file is there on return.
    """
    printable = printable_for(instance)
    if getattr(instance, printable.field):
        return None
    now = timezone.now()
    key = f"pdf:waiting:{printable.label}:{instance.pk}"
    first, last = cache.get(key) or (now, None)
    if last is None or now - last >= REQUEUE_AFTER:
        pdf_queue(instance)
        last = now
    instance.refresh_from_db(fields=[printable.field])
    if getattr(instance, printable.field):
        cache.delete(key)
        return None
    cache.set(key, (first, last), timeout=int(SLOW_AFTER.total_seconds()) * 10)
    return Waiting(since=first, slow=now - first >= SLOW_AFTER)


def pdf_render_missing(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue the render of every document that should have its PDF by now and has none.

    A render is queued after its document's transaction commits: a process killed between the two
    (or a broker that lost the message) leaves a signed document without its file until someone
    opens its page. This sweep closes that gap without anyone waiting: each printable that says when
    its documents came to be (``since``) is looked at for rows older than ``SWEEP_AFTER`` with an
    empty file field (only the rows it ``wanted``: dispatched letters, pending exports). A document
    already rendering meanwhile costs one more task that finds the file and exits. Returns how many
    were queued per kind.
    """
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    queued: dict[str, int] = {}
    for printable in printables():
        if not printable.since:
            continue
        rows = printable.model._default_manager.filter(**{printable.field: "", f"{printable.since}__lt": cutoff})
        if printable.wanted is not None:
            rows = printable.wanted(rows)
        keys = list(rows.order_by(printable.since).values_list("pk", flat=True)[:SWEEP_LIMIT])
        for pk in keys:
            enqueue(PDF_RENDER_TASK, printable.label, str(pk))
        if keys:
            queued[printable.label] = len(keys)
    return queued
