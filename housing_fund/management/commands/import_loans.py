import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from govportal.entities.models import Entity
from govportal.importing import problem_text, refused_summary
from housing_fund.importer import COLUMNS, loans_import


class Command(BaseCommand):
    help = (
        "Import housing loans from the legacy system: a CSV file with the columns " + ",".join(COLUMNS) + ". "
        "Nothing is imported when the file or any row is bad (each is listed, with its line; exit status 1); loans "
        "already in the fund with the same figures are skipped, so running the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--branch", required=True, help="Code of the fund branch (entity) the loans belong to.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON (also when refused).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        branch = Entity.objects.filter(code=options["branch"]).first()
        if branch is None:
            raise CommandError(_("No entity has the code %(code)s.") % {"code": options["branch"]})
        report = loans_import(path, branch=branch)
        result = report.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for problem in result["errors"]:
                self.stdout.write(problem_text(problem["line"], problem["errors"], problem["loan_number"]))
        if not report.ok:
            raise CommandError(refused_summary(bad_rows=report.bad_rows, rows=report.rows))
        if not options["json"]:
            for label, count in (
                (_("Loans imported"), report.imported),
                (_("Installments created"), report.installments),
                (_("Already in the fund (skipped)"), report.skipped),
                (_("Rows read"), report.rows),
            ):
                self.stdout.write(self.style.SUCCESS(f"{label}: {count:,}"))
