import logging

from celery import shared_task

from govportal.audit.services import audit_chain_verify

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def audit_verify_chain() -> dict[str, object]:
    """Nightly: walk the audit chain and log loudly if it is broken. Read-only, so safe to repeat."""
    report = audit_chain_verify()
    if not report.ok:
        logger.error("Audit chain broken at event %s: %s", report.broken_at, report.reason)
    return {"ok": report.ok, "checked": report.checked, "broken_at": report.broken_at}
