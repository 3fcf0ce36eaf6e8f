import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from collection.constants import DiscrepancyKind, RowOutcome, SettlementStatus
from collection.models import SettlementFile
from collection.reconciliation import SETTLEMENT_FORMATS, bad_rows_of, error_messages, settlement_import
from govportal.importing import problem_text, refused_summary


class _Refused(Exception):
    def __init__(self, settlement: SettlementFile) -> None:
        self.settlement = settlement


class Command(BaseCommand):
    # A data command run by operators and schedulers: the system checks (every URL pattern, every
    # model, every template setting) belong to deployment (``check --deploy``) and would add a
    # second to every import. The settings still fail loudly when Django starts.
    requires_system_checks: list[str] = []
    help = (
        "Import a provider's settlement file and reconcile it now ("
        + "; ".join(f"{provider} columns: {','.join(columns)}" for provider, columns in SETTLEMENT_FORMATS.items())
        + "). An acquirer's or FIB's file belongs to the collecting entity of the merchant account it names; a "
        "sandbox file settles every entity's payments. A bad file (every bad row is listed, with its line) or one "
        'imported before changes nothing and exits with status 1. With --json: the rows per outcome, or {"ok": '
        'false, "errors": [...]} when refused.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--provider", required=True, choices=sorted(SETTLEMENT_FORMATS))
        parser.add_argument("--json", action="store_true", help="Print the rows per outcome (or the errors) as JSON.")

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
            if options["json"]:  # otherwise CommandError says it
                self._refused([((getattr(error, "params", None) or {}).get("line"), error.messages)], True)
            raise CommandError(" ".join(error.messages)) from None
        except _Refused as refused:
            if refused.settlement.upload:
                refused.settlement.upload.delete(save=False)
            errors = refused.settlement.errors
            self._refused(error_messages(errors), options["json"])
            summary = refused_summary(bad_rows=bad_rows_of(errors), rows=refused.settlement.rows_total)
            raise CommandError(f"{summary} " + _("Correct the file and try again.")) from None
        if options["json"]:
            self.stdout.write(json.dumps(settlement.counts))
            return
        reconciled = _("Rows reconciled")
        self.stdout.write(self.style.SUCCESS(f"{reconciled}: {settlement.rows_total:,}"))
        for outcome, count in settlement.counts.items():
            label = DiscrepancyKind(outcome).label if outcome in DiscrepancyKind.values else RowOutcome(outcome).label
            self.stdout.write(f"{label}: {count:,}")

    def _refused(self, problems: list[tuple[int | None, list[str]]], as_json: bool) -> None:
        """Every problem: on stderr, or (``--json``) as the report on stdout."""
        if as_json:
            errors = [{"line": line, "errors": messages} for line, messages in problems]
            self.stdout.write(json.dumps({"ok": False, "errors": errors}, ensure_ascii=False, indent=2))
            return
        for line, messages in problems:
            self.stderr.write(problem_text(line, messages))
