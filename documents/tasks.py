"""Thin Celery entry points for official correspondence.

Letters and printed registers are rendered by the one PDF task, ``govportal.pdf.tasks.pdf_render``.
"""

from __future__ import annotations

from celery import shared_task

from documents.exports import register_exports_purge


@shared_task(acks_late=True)
def register_exports_purge_task() -> int:
    """Daily: delete printed registers past their day (idempotent; a thousand at a time until none)."""
    deleted = total = register_exports_purge()
    while deleted:
        deleted = register_exports_purge()
        total += deleted
    return total
