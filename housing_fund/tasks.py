"""Thin Celery entry points for the housing fund.

Statements' PDFs are rendered by the one PDF task, ``govportal.pdf.tasks.pdf_render``.
"""

from __future__ import annotations

from celery import shared_task

from housing_fund.importer import import_run
from housing_fund.services import installments_bill, installments_remind


@shared_task(acks_late=True)
def installments_daily() -> dict[str, int]:
    """Each morning: bill what falls due soon, then send reminders and overdue notices (idempotent)."""
    billed = installments_bill()
    return {"billed": billed, **installments_remind()}


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def loans_import_task(import_id: str) -> str | None:
    """Run one uploaded legacy loans import (idempotent: a finished import is left alone)."""
    loan_import = import_run(import_id)
    return None if loan_import is None else str(loan_import.status)
