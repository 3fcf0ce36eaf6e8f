import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from datacenter.importer import COLUMNS, certificates_import


class Command(BaseCommand):
    help = (
        "Import legacy certificates of authenticity from a CSV file (columns: " + ", ".join(COLUMNS) + "). "
        "Nothing is imported when any row is bad; re-running the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = certificates_import(path)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for problem in report.errors:
                self.stdout.write(
                    f"line {problem['line']} ({problem['serial'] or '—'}): " + "; ".join(problem["errors"])
                )
        if not report.ok:
            raise CommandError(f"{len(report.errors)} bad rows out of {report.rows}; nothing was imported.")
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.imported} certificates imported, {report.already_present} already present, "
                    f"{report.rows} rows read."
                )
            )
