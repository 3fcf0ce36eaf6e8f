"""Thin Celery entry points for the housing fund."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def installments_daily() -> dict[str, int]:
    """Each morning: bill what falls due soon, then send reminders and overdue notices (idempotent)."""
    from housing_fund.services import installments_bill, installments_remind

    billed = installments_bill()
    return {"billed": billed, **installments_remind()}
