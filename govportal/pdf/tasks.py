"""The one task that renders PDFs: any registered printable, by (model label, pk)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError
from celery import Task, shared_task
from django.db import OperationalError

from govportal.pdf.services import pdf_render_failed, pdf_render_missing, pdf_render_pk


class _RecordsFailure(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """After the last retry (or an error no retry mends), an export shows that it failed
        instead of "being prepared" for ever."""
        label, pk = (list(args) + [kwargs.get("label"), kwargs.get("pk")])[:2]
        if label and pk:
            pdf_render_failed(label=label, pk=pk)


@shared_task(
    base=_RecordsFailure,
    acks_late=True,
    autoretry_for=(OSError, OperationalError, BotoCoreError),
    retry_backoff=10,
    retry_jitter=True,
    max_retries=5,
)
def pdf_render(label: str, pk: str, force: bool = False) -> str | None:
    """Render and store the PDF of the ``label`` object ``pk`` (e.g. ``"collection.receipt"``).

    Idempotent: exits quietly if the object is gone or its file exists (unless ``force``); two
    copies of this task racing store one file. Storage, network and database hiccups are retried
    with back-off; the name of the stored file is returned.
    """
    return pdf_render_pk(label=label, pk=pk, force=force)


@shared_task(acks_late=True)
def pdf_render_missing_sweep() -> dict[str, int]:
    """Every few minutes: queue the renders that were lost between a document's commit and its
    queueing (a killed process, a lost message). Idempotent: a document with its file is skipped."""
    return pdf_render_missing()
