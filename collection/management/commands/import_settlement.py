import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from collection.constants import SettlementStatus
from collection.models import SettlementFile
from collection.reconciliation import SETTLEMENT_FORMATS, error_messages, settlement_import


class _Refused(Exception):
    def __init__(self, settlement: SettlementFile) -> None:
        self.settlement = settlement


class Command(BaseCommand):
    # A data command run by operators and schedulers: the system checks (every URL pattern, every
    # model, every template setting) belong to deployment (``check --deploy``) and would add a
    # second to every import. The settings still fail loudly when Django starts.
    requires_system_checks: list[str] = []
    help = (
        "Import a provider's settlement file and reconcile it now (sandbox columns: "
        + ",".join(SETTLEMENT_FORMATS["sandbox"])
        + "). A bad file (every bad row is listed) or one imported before changes nothing and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--provider", required=True, choices=sorted(SETTLEMENT_FORMATS))
        parser.add_argument("--json", action="store_true", help="Print the rows per outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            # One transaction around import and reconciliation: a refused file leaves no trace.
            with transaction.atomic():
                settlement = settlement_import(
                    provider=options["provider"], name=path.name, source=path, actor=None, run_now=True
                )
                if settlement.status != SettlementStatus.DONE:
                    raise _Refused(settlement)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except _Refused as refused:
            if refused.settlement.upload:
                refused.settlement.upload.delete(save=False)
            for line, messages in error_messages(refused.settlement.errors):
                where = _("line %(line)s") % {"line": line} if line else "…"
                self.stderr.write(f"{where}: " + "; ".join(messages))
            raise CommandError(
                _("The settlement file was not imported: nothing has changed. Correct the rows above and try again.")
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(settlement.counts))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s rows reconciled: %(counts)s.")
                % {
                    "rows": f"{settlement.rows_total:,}",
                    "counts": ", ".join(f"{outcome} {n:,}" for outcome, n in settlement.counts.items()),
                }
            )
        )
