import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govportal.entities.models import Entity
from housing_fund.importer import COLUMNS, loans_import


class Command(BaseCommand):
    help = (
        "Import housing loans from the legacy system: a CSV file with the columns " + ",".join(COLUMNS) + ". "
        "Nothing is imported when any row is bad (every bad row is listed); loans already in the fund with the "
        "same figures are skipped, so running the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--branch", required=True, help="Code of the fund branch (entity) the loans belong to.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        branch = Entity.objects.filter(code=options["branch"]).first()
        if branch is None:
            raise CommandError(f"No entity with the code {options['branch']}")
        report = loans_import(path, branch=branch)
        result = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for problem in result["errors"]:
                where = f"line {problem['line']}" if problem["line"] else "…"
                self.stdout.write(f"{where} ({problem['loan_number'] or '—'}): " + "; ".join(problem["errors"]))
        if not report.ok:
            raise CommandError(f"{report.bad_rows} bad rows out of {report.rows}; nothing was imported.")
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.imported} loans imported ({report.installments} installments), "
                    f"{report.skipped} already in the fund, {report.rows} rows read."
                )
            )
