import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from datacenter.importer import COLUMNS, certificates_import
from govportal.importing import problem_text, refused_summary


class Command(BaseCommand):
    help = (
        "Import legacy certificates of authenticity from a CSV file (columns: " + ", ".join(COLUMNS) + "). "
        "Nothing is imported when the file or any row is bad (each is listed, with its line; exit status 1); "
        "re-running the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON (also when refused).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        report = certificates_import(path)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for problem in report.errors:
                self.stdout.write(problem_text(problem["line"], problem["errors"], problem["serial"]))
        if not report.ok:
            raise CommandError(refused_summary(bad_rows=report.bad_rows, rows=report.rows))
        if not options["json"]:
            for label, count in (
                (_("Certificates imported"), report.imported),
                (_("Already in the register (skipped)"), report.already_present),
                (_("Rows read"), report.rows),
            ):
                self.stdout.write(self.style.SUCCESS(f"{label}: {count:,}"))
