from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govportal.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit non-zero naming the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
