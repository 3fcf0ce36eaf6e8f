"""Legacy loan import: checks every row, imports all or nothing, idempotent by loan number, carries
over what was repaid; the PostgreSQL path makes exactly the installments of the Python path; the
command and the upload page (a task with progress)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.progress import progress_set
from housing_fund import importer
from housing_fund.constants import ImportStatus, LoanStatus
from housing_fund.importer import COLUMNS, import_run, loans_import
from housing_fund.models import Installment, Loan, LoanImport, Schedule
from housing_fund.schedule import due_dates, installment_amounts
from housing_fund.services import loan_create
from housing_fund.tasks import loans_import_task
from tests.factories import EntityFactory, MembershipFactory
from tests.importing import bad_byte_files, header_only, manage, refusals, refused_in_a_browser

pytestmark = pytest.mark.django_db

GOOD = {
    "loan_number": "BGD-0001",
    "borrower_name": "زينب علي حسن",
    "national_id": "198512345670",
    "birth_date": "1985-04-12",
    "purpose": "build",
    "principal": "1000003",
    "admin_fee": "20000",
    "term_months": "12",
    "start_date": "2024-01-31",
    "paid_amount": "250000",
}


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def write(tmp_path: Path, rows: list[dict[str, str]], name: str = "legacy.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def schedule_of(loan: Loan) -> list[tuple[int, dt.date, int, int, int]]:
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("number")
        .values_list("number", "due_date", "amount", "paid", "legacy_paid")
    )


@pytest.fixture
def branch() -> Any:
    return EntityFactory(code="IHF-BGD")


def english(report: importer.ImportReport) -> dict[str, Any]:
    with translation.override("en"):
        return report.as_dict()


# --- the importer --------------------------------------------------------------------------------


def test_a_good_file_is_imported_with_its_schedules_and_what_was_repaid(branch, tmp_path):
    settled = {**GOOD, "loan_number": "BGD-0002", "principal": "600000", "admin_fee": "0", "term_months": "6",
               "start_date": "2020-03-15", "paid_amount": "600000", "national_id": "١٩٨٥١٢٣٤٥٦٧١"}  # fmt: skip
    report = loans_import(write(tmp_path, [GOOD, settled]), branch=branch)
    assert english(report)["errors"] == []
    assert (report.imported, report.skipped, report.installments) == (2, 0, 18)

    loan = Loan.objects.get(number="BGD-0001")
    assert (loan.branch, loan.status, loan.total, loan.borrower_birth_date) == (
        branch,
        LoanStatus.ACTIVE,
        1_020_003,
        dt.date(1985, 4, 12),
    )
    assert Schedule.objects.get(loan=loan).version == 1
    rows = schedule_of(loan)
    # Month-end start: due on the last day of shorter months, the 31st of longer ones.
    assert [row[1] for row in rows[:4]] == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                                             dt.date(2024, 5, 31)]  # fmt: skip
    assert [row[2] for row in rows] == [85_000] * 11 + [85_003]
    # 250,000 already repaid: two installments in full, 80,000 of the third, nothing after.
    assert [row[3] for row in rows] == [85_000, 85_000, 80_000] + [0] * 9
    assert [row[4] for row in rows] == [row[3] for row in rows]

    repaid = Loan.objects.get(number="BGD-0002")
    assert repaid.status == LoanStatus.SETTLED
    assert repaid.borrower_national_id == "198512345671"  # Arabic-Indic digits read as digits
    assert all(paid == amount for _n, _d, amount, paid, _l in schedule_of(repaid))

    events = AuditEvent.objects.filter(action="loan_import")
    assert events.count() == 1
    assert events.get().data["imported"] == 2


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(branch, tmp_path):
    rows = [
        GOOD,
        {**GOOD, "loan_number": "BGD-0002", "national_id": "123"},
        {**GOOD, "loan_number": "BGD-0003", "principal": "-5", "admin_fee": "-1"},
        {**GOOD, "loan_number": "BGD-0004", "start_date": "31/01/2024", "birth_date": "1985-02-30"},
        {**GOOD, "paid_amount": "100"},  # repeats BGD-0001 (line 2)
        {
            **GOOD,
            "loan_number": "BGD-0006",
            "principal": "100",
            "admin_fee": "0",
            "term_months": "240",
            "paid_amount": "0",
        },  # fmt: skip
        {**GOOD, "loan_number": "BGD-0007", "term_months": "400"},
        {**GOOD, "loan_number": "BGD-0008", "purpose": "holiday", "paid_amount": "9999999999"},
    ]
    with translation.override("en"):
        report = loans_import(write(tmp_path, rows), branch=branch)
        errors = report.as_dict()["errors"]
        expect = {
            3: [_("The national ID number must be exactly 12 digits.")],
            4: [_("The principal must be more than zero dinars."), _("The administrative fee cannot be negative.")],
            5: [_("birth_date must be a date written YYYY-MM-DD"), _("start_date must be a date written YYYY-MM-DD")],
            6: [_("loan number %(number)s repeats line %(line)d") % {"number": "BGD-0001", "line": 2}],
            7: [_("The term is too long for the amount: each installment must be at least 1 dinar.")],
            8: [_("The term must be between 1 and 360 months.")],
            9: [
                _("The purpose must be build, buy or renovate."),
                _("paid_amount must be between 0 and principal + admin_fee (%(total)s)") % {"total": "1,020,003"},
            ],
        }
    assert not report.ok
    found = {error["line"]: error["errors"] for error in errors}
    assert found.keys() == expect.keys()
    for line, reasons in expect.items():
        if line == 4:  # loan_errors may add that the term is too long for a negative amount
            assert found[line][: len(reasons)] == reasons
        else:
            assert found[line] == reasons
    assert [error["loan_number"] for error in errors][:2] == ["BGD-0002", "BGD-0003"]
    assert (report.imported, report.bad_rows, report.rows) == (0, 7, 8)
    assert not Loan.objects.exists()
    assert not Installment.objects.exists()
    assert not AuditEvent.objects.filter(action="loan_import").exists()


def test_the_same_file_again_changes_nothing(branch, tmp_path):
    path = write(tmp_path, [GOOD, {**GOOD, "loan_number": "BGD-0002", "paid_amount": "0"}])
    loans_import(path, branch=branch)
    before = schedule_of(Loan.objects.get(number="BGD-0001"))
    again = loans_import(path, branch=branch)
    assert (again.ok, again.imported, again.skipped) == (True, 0, 2)
    assert Loan.objects.count() == 2
    assert Installment.objects.count() == 24
    assert schedule_of(Loan.objects.get(number="BGD-0001")) == before
    # A later file with the same loans and a new one imports only the new one.
    more = loans_import(write(tmp_path, [GOOD, {**GOOD, "loan_number": "BGD-0003"}], "more.csv"), branch=branch)
    assert (more.imported, more.skipped) == (1, 1)


def test_a_known_loan_number_with_other_figures_is_refused(branch, tmp_path):
    loans_import(write(tmp_path, [GOOD]), branch=branch)
    changed = [{**GOOD, "loan_number": "BGD-0009"}, {**GOOD, "principal": "1000004", "paid_amount": "300000"}]
    report = loans_import(write(tmp_path, changed, "changed.csv"), branch=branch)
    errors = english(report)["errors"]
    assert [error["line"] for error in errors] == [3]
    with translation.override("en"):
        assert errors[0]["errors"] == [
            _("loan %(number)s is already in the fund with other figures (%(columns)s)")
            % {"number": "BGD-0001", "columns": "principal, paid_amount"}
        ]
    assert not Loan.objects.filter(number="BGD-0009").exists()
    assert Loan.objects.get(number="BGD-0001").principal == 1_000_003
    # The same loan offered to another branch is refused as well.
    other = loans_import(write(tmp_path, [GOOD], "other.csv"), branch=EntityFactory(code="IHF-BSR"))
    assert [error["line"] for error in other.as_dict()["errors"]] == [2]


def test_a_file_that_is_not_ours_is_refused(branch, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("number,name\nA,B\n", encoding="utf-8")
    report = loans_import(path, branch=branch)
    with translation.override("en"):
        assert report.as_dict()["errors"] == [
            {"line": 1, "loan_number": "", "errors": [
                _("the first line must name the columns %(columns)s") % {"columns": ",".join(COLUMNS)}
            ]}
        ]  # fmt: skip
    assert not Loan.objects.exists()


AWKWARD = [
    # (start, total, fee, term, paid): month ends, leap days, remainders, paid on a boundary or in full
    ("2024-01-31", 50_500_000, 500_000, 240, 7_364_560),
    ("2023-02-28", 1_000_003, 0, 7, 0),
    ("2024-02-29", 999_999, 1, 360, 999_999),
    ("2019-08-30", 7, 0, 7, 3),
    ("2021-12-31", 123_456_789, 4_321, 13, 123_456_789 // 13 * 5),
    ("2022-03-31", 360, 0, 360, 359),
    ("2025-10-31", 60_000_001, 0, 1, 1),
]


def awkward_rows(prefix: str) -> list[dict[str, str]]:
    return [
        {
            **GOOD,
            "loan_number": f"{prefix}{i}",
            "start_date": start,
            "principal": str(total - fee),
            "admin_fee": str(fee),
            "term_months": str(term),
            "paid_amount": str(paid),
        }  # fmt: skip
        for i, (start, total, fee, term, paid) in enumerate(AWKWARD)
    ]


def test_the_python_path_makes_the_schedules_of_schedule_make(branch, tmp_path):
    report = loans_import(write(tmp_path, awkward_rows("P-")), branch=branch, method="python")
    assert report.ok
    for i, (start, total, fee, term, paid) in enumerate(AWKWARD):
        made = loan_create(
            number=f"S-{i}", borrower_name="x", borrower_national_id=GOOD["national_id"],
            borrower_birth_date=dt.date(1985, 4, 12), purpose="build", principal=total - fee, admin_fee=fee,
            term_months=term, start_date=dt.date.fromisoformat(start), branch=branch,
        )  # fmt: skip
        imported = schedule_of(Loan.objects.get(number=f"P-{i}"))
        assert [row[:3] for row in imported] == [row[:3] for row in schedule_of(made)]
        assert sum(row[3] for row in imported) == paid
        unpaid = [row[0] for row in imported if row[3] < row[2]]
        assert all(row[3] == row[2] for row in imported if not unpaid or row[0] < unpaid[0])
        assert all(row[3] == 0 for row in imported if unpaid and row[0] > unpaid[0])


@pytest.mark.postgres
@pytest.mark.parametrize("bulk", [False, True], ids=["plain", "bulk-mode"])
def test_the_sql_path_makes_exactly_the_installments_of_the_python_path(branch, tmp_path, monkeypatch, bulk):
    assert connection.vendor == "postgresql"
    loans_import(write(tmp_path, awkward_rows("P-"), "python.csv"), branch=branch, method="python")
    constraints_before = _installment_indexes_and_keys()
    if bulk:  # drop the indexes and keys, insert, re-create them
        monkeypatch.setattr("housing_fund.importer.writing.BULK_INSTALLMENTS", 1)
    report = loans_import(write(tmp_path, awkward_rows("Q-"), "sql.csv"), branch=branch, method="sql")
    assert report.ok
    assert report.installments == sum(term for _s, _t, _f, term, _p in AWKWARD)
    for i in range(len(AWKWARD)):
        python, sql = Loan.objects.get(number=f"P-{i}"), Loan.objects.get(number=f"Q-{i}")
        assert schedule_of(sql) == schedule_of(python)
        assert (sql.status, sql.total, sql.start_date, sql.branch) == (
            python.status,
            python.total,
            python.start_date,
            python.branch,
        )
        assert Schedule.objects.get(loan=sql).total == sql.total
    assert _installment_indexes_and_keys() == constraints_before


def _installment_indexes_and_keys() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
            UNION ALL
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass
            """,
            [Installment._meta.db_table, Installment._meta.db_table],
        )
        return sorted(cursor.fetchall())


def test_the_schedule_rule_is_the_one_of_housing_fund_schedule(branch, tmp_path):
    loans_import(write(tmp_path, [GOOD]), branch=branch)
    rows = schedule_of(Loan.objects.get(number="BGD-0001"))
    assert [row[1] for row in rows] == due_dates(dt.date(2024, 1, 31), 12)
    assert [row[2] for row in rows] == installment_amounts(1_020_003, 12)


# --- the command -------------------------------------------------------------------------------------


def test_the_command_reports_in_json(branch, tmp_path, capsys):
    path = write(tmp_path, [GOOD])
    call_command("import_loans", str(path), "--branch", "IHF-BGD", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["skipped"], report["errors"]) == (1, 0, [])
    call_command("import_loans", str(path), "--branch", "IHF-BGD", "--json")
    assert json.loads(capsys.readouterr().out)["skipped"] == 1

    bad = write(tmp_path, [{**GOOD, "loan_number": "BGD-0002", "national_id": "12"}], "bad.csv")
    with translation.override("en"), pytest.raises(CommandError, match="^1 bad row out of 1; nothing was imported"):
        call_command("import_loans", str(bad), "--branch", "IHF-BGD", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 0
    assert [(error["line"], error["loan_number"]) for error in report["errors"]] == [(2, "BGD-0002")]
    assert Loan.objects.count() == 1

    with translation.override("en"), pytest.raises(CommandError, match="^No entity has the code NOPE.$"):
        call_command("import_loans", str(path), "--branch", "NOPE")


def loan_row(i: int, text: str) -> list[str]:
    """A good row numbered ``i`` whose borrower's name ends with ``text``."""
    return list({**GOOD, "loan_number": f"BGD-{i:05d}", "borrower_name": f"زينب علي{text}"}.values())


def nothing_stored() -> None:
    assert not Loan.objects.exists()
    assert not Schedule.objects.exists()
    assert not Installment.objects.exists()
    assert not AuditEvent.objects.filter(action="loan_import").exists()


BAD_BYTES = bad_byte_files(COLUMNS, loan_row)


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_the_command_names_the_line_of_a_byte_that_is_not_utf8(branch, tmp_path, capsys, content, line):
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match="^The file was refused; nothing was imported"):
        call_command("import_loans", str(path), "--branch", "IHF-BGD")
    printed = capsys.readouterr().out
    assert printed.startswith(f"line {line}: this line is not UTF-8 text from character ")
    assert printed.count("\n") == 1  # the bad byte alone, not the rows read before it
    nothing_stored()
    with pytest.raises(CommandError, match="^رُفض الملف ولم يُستورد منه شيء.$"):
        call_command("import_loans", str(path), "--branch", "IHF-BGD", "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["rows"], report["bad_rows"], report["imported"]) == (False, 0, 0, 0)
    assert [error["line"] for error in report["errors"]] == [line]
    assert report["errors"][0]["errors"][0].startswith("هذا السطر ليس نصاً بترميز UTF-8 ابتداءً من الحرف ")
    nothing_stored()


@pytest.mark.parametrize("method", ["python", pytest.param("sql", marks=pytest.mark.postgres)])
def test_both_paths_name_the_bad_byte_of_a_large_file(branch, tmp_path, method):
    content, line = next(case.values for case in BAD_BYTES if case.id == "line-3000-of-a-large-file")
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    report = loans_import(path, branch=branch, method=method)
    assert not report.ok
    assert [error["line"] for error in english(report)["errors"]] == [line]
    nothing_stored()


@pytest.mark.parametrize("content", header_only(COLUMNS))
def test_the_command_refuses_a_file_without_rows_as_empty(branch, tmp_path, capsys, content):
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match="^The file was refused; nothing was imported"):
        call_command("import_loans", str(path), "--branch", "IHF-BGD")
    assert capsys.readouterr().out == "The file has no rows to import: it is empty or holds only its header.\n"
    with pytest.raises(CommandError):
        call_command("import_loans", str(path), "--branch", "IHF-BGD", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == [
        {
            "line": None,
            "loan_number": "",
            "errors": ["لا يحتوي الملف على صفوف لاستيرادها: فهو فارغ أو لا يحتوي إلا على سطر العناوين."],
        }
    ]
    nothing_stored()


@pytest.mark.parametrize(
    ("bad", "english", "arabic"),
    [
        (1, "1 bad row out of 12; nothing was imported.", "صف خاطئ واحد من أصل 12؛ لم يُستورد شيء."),
        (2, "2 bad rows out of 12; nothing was imported.", "صفّان خاطئان من أصل 12؛ لم يُستورد شيء."),
        (10, "10 bad rows out of 12; nothing was imported.", "10 صفوف خاطئة من أصل 12؛ لم يُستورد شيء."),
        (11, "11 bad rows out of 12; nothing was imported.", "11 صفاً خاطئاً من أصل 12؛ لم يُستورد شيء."),
    ],
)
def test_the_command_counts_bad_rows_in_words_in_both_languages(branch, tmp_path, capsys, bad, english, arabic):
    rows = [{**GOOD, "loan_number": f"BGD-{i:04d}", "national_id": "12" if i <= bad else GOOD["national_id"]}
            for i in range(1, 13)]  # fmt: skip
    path = write(tmp_path, rows)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_loans", str(path), "--branch", "IHF-BGD")
    assert str(refused.value) == english
    assert [line.split(" ")[1] for line in capsys.readouterr().out.splitlines()] == [
        str(i + 1) for i in range(1, bad + 1)
    ]
    with pytest.raises(CommandError) as refused:
        call_command("import_loans", str(path), "--branch", "IHF-BGD")
    assert str(refused.value) == arabic
    nothing_stored()


@pytest.mark.postgres
def test_the_command_exits_with_status_1_and_a_message_not_a_traceback(transactional_db, tmp_path):
    EntityFactory(code="IHF-BGD")
    path = tmp_path / "legacy.csv"
    path.write_bytes(next(case.values[0] for case in BAD_BYTES if case.id == "line-4"))
    result = manage("import_loans", str(path), "--branch", "IHF-BGD")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("السطر 4: هذا السطر ليس نصاً بترميز UTF-8")
    assert result.stderr.strip() == "CommandError: رُفض الملف ولم يُستورد منه شيء."
    empty = tmp_path / "empty.csv"
    empty.write_bytes(",".join(COLUMNS).encode() + b"\n")
    result = manage("import_loans", str(empty), "--branch", "IHF-BGD", "--json")
    assert (result.returncode, json.loads(result.stdout)["ok"]) == (1, False)
    assert not Loan.objects.exists()


# --- the pages -----------------------------------------------------------------------------------------


@pytest.fixture
def officer(branch) -> Any:
    return MembershipFactory(entity=branch, role=Role.FUND_OFFICER)


def upload(content: bytes, name: str = "legacy-loans.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_officer_uploads_a_file_the_task_imports_it_and_the_page_shows_the_result(
    officer, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(officer)
    assert client.get(reverse("housing_fund:import_new")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(csv_bytes([GOOD]))}
        )
    loan_import = LoanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("housing_fund:import_detail", args=[loan_import.pk])
    assert (loan_import.status, loan_import.uploaded_by, loan_import.rows_done) == (ImportStatus.DONE, officer.user, 1)
    assert loan_import.counts["imported"] == 1
    assert Loan.objects.get(number="BGD-0001").branch == officer.entity
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert str(ImportStatus.DONE.label) in page.content.decode()
    listing = client.get(reverse("housing_fund:imports")).content.decode()
    assert "legacy-loans.csv" in listing
    # The task delivered again leaves the finished import alone.
    assert loans_import_task(str(loan_import.pk)) == ImportStatus.DONE
    loan_import.refresh_from_db()
    assert (loan_import.counts["imported"], Loan.objects.count()) == (1, 1)
    assert AuditEvent.objects.filter(action="loan_import").count() == 1


def test_a_bad_file_uploaded_lists_every_bad_row_on_its_page(officer, staff_client, django_capture_on_commit_callbacks):
    client = staff_client(officer)
    rows = [GOOD, {**GOOD, "loan_number": "BGD-0002", "national_id": "12"}, {**GOOD}]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(csv_bytes(rows))}
        )
    loan_import = LoanImport.objects.get()
    assert loan_import.status == ImportStatus.FAILED
    assert [error["line"] for error in loan_import.errors] == [3, 4]
    assert not Loan.objects.exists()
    with translation.override("ar"):
        expected = _("The national ID number must be exactly 12 digits.")
    page = client.get(response["Location"]).content.decode()
    assert expected in page
    assert "BGD-0002" in page
    assert "<bdi>2</bdi> صفّان خاطئان. صحّحهما في الملف ثم استورد الملف مرة أخرى." in page


def test_the_page_shows_progress_while_the_import_runs(officer, staff_client):
    client = staff_client(officer)
    loan_import = LoanImport.objects.create(
        name="big.csv", sha256="1" * 64, branch=officer.entity, uploaded_by=officer.user, rows_total=100_000,
        status=ImportStatus.RUNNING,
    )  # fmt: skip
    progress_set(importer._progress_key(loan_import), "checking", 25_000, 100_000)  # as the task does
    page = client.get(reverse("housing_fund:import_detail", args=[loan_import.pk])).content.decode()
    assert 'value="25"' in page
    assert 'http-equiv="refresh"' not in page
    assert f'href="{reverse("housing_fund:import_detail", args=[loan_import.pk])}"' in page


@pytest.mark.parametrize(
    "content, name",
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "legacy.csv"), (b"number,name\nA,B\n", "legacy.csv"), (b"", "empty.csv")],
)
def test_an_upload_that_is_not_a_legacy_loans_file_is_refused(officer, staff_client, content, name):
    client = staff_client(officer)
    response = client.post(
        reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(content, name)}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not LoanImport.objects.exists()


def refusal(response: Any) -> str:
    """The page's error summary, as the officer reads it."""
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('class="error-summary"')
    return page[start : page.index("</div>", start)]


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_an_upload_with_a_byte_that_is_not_utf8_is_refused_naming_its_line(officer, staff_client, content, line):
    response = staff_client(officer).post(
        reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(content)}
    )
    assert f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف " in refusal(response)
    assert not LoanImport.objects.exists()
    nothing_stored()


@pytest.mark.parametrize("content", header_only(COLUMNS))
def test_an_upload_without_rows_is_refused_as_empty(officer, staff_client, content):
    client = staff_client(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(content)})
    assert "The file has no rows to import: it is empty or holds only its header." in refusal(response)
    assert not LoanImport.objects.exists()
    nothing_stored()


def test_a_stored_file_with_a_bad_byte_fails_its_import_naming_the_line(officer, staff_client):
    """Files are checked at upload; the task checks again (a file stored before that check, say)."""
    content, line = next(case.values for case in BAD_BYTES if case.id == "inside-a-quoted-field")
    loan_import = LoanImport.objects.create(
        name="old.csv", sha256="2" * 64, branch=officer.entity, uploaded_by=officer.user, rows_total=3
    )
    loan_import.upload.save("old.csv", SimpleUploadedFile("old.csv", content))
    assert import_run(loan_import.pk).status == ImportStatus.FAILED
    loan_import.refresh_from_db()
    assert [error["line"] for error in loan_import.errors] == [line]
    assert (loan_import.counts["rows"], loan_import.counts["bad_rows"]) == (0, 0)
    page = staff_client(officer).get(reverse("housing_fund:import_detail", args=[loan_import.pk])).content.decode()
    assert "صحّح الملف كما هو مبيَّن أدناه ثم استورده مرة أخرى." in page
    assert f"<bdi>{line}</bdi>" in page
    assert not Loan.objects.exists() and not Installment.objects.exists()
    assert AuditEvent.objects.get(action="loan_import").data["status"] == "failed"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_in_a_browser_names_the_line_or_says_the_file_is_empty(page, live_server):
    """A file with a bad byte after a record spanning two lines, and one of only its header: the
    error summary in both languages, screenshots at 360 and 1280 px, no axe violations."""
    officer = MembershipFactory(entity=EntityFactory(code="IHF-BGD"), role=Role.FUND_OFFICER)
    problems = refused_in_a_browser(
        page,
        live_server,
        officer,
        url=reverse("housing_fund:import_new"),
        form="main form",
        name="housing-import",
        files=refusals(
            next(case.values[0] for case in BAD_BYTES if case.id == "after-a-record-spanning-two-lines"), 5, COLUMNS
        ),
    )
    assert not LoanImport.objects.exists()
    assert not problems, "\n".join(problems)


def test_another_branch_and_other_roles_see_nothing(officer, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client(officer).post(
            reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(csv_bytes([GOOD]))}
        )
    detail = reverse("housing_fund:import_detail", args=[LoanImport.objects.get().pk])
    elsewhere = staff_client(MembershipFactory(entity=EntityFactory(code="IHF-BSR"), role=Role.FUND_OFFICER))
    assert elsewhere.get(detail).status_code == 404
    assert "legacy-loans.csv" not in elsewhere.get(reverse("housing_fund:imports")).content.decode()
    # Importing into a branch that is not theirs is not offered either.
    refused = elsewhere.post(
        reverse("housing_fund:import_new"), {"branch": officer.entity.pk, "file": upload(csv_bytes([GOOD]))}
    )
    assert refused.status_code == 400
    clerk = staff_client(MembershipFactory(entity=officer.entity, role=Role.REGISTRY_CLERK))
    assert clerk.get(reverse("housing_fund:imports")).status_code == 404
    assert clerk.get(detail).status_code == 404


# --- the arrears report over imported loans ------------------------------------------------------------


def test_arrears_aging_buckets_loans_by_their_oldest_overdue_installment(branch, tmp_path):
    from housing_fund.constants import AGING_BUCKETS
    from housing_fund.selectors import arrears_aging

    today = dt.date.today()
    starts = [today - dt.timedelta(days=days) for days in (20, 75, 130, 200, 400, 400, 700, 3)]
    rows = [
        {
            **GOOD,
            "loan_number": f"A-{i}",
            "start_date": start.isoformat(),
            "principal": "1200000",
            "admin_fee": "0",
            "term_months": "12",
            "paid_amount": paid,
        }  # fmt: skip
        for i, (start, paid) in enumerate(
            zip(starts, ["0", "50000", "100000", "0", "1200000", "450000", "0", "0"], strict=True)
        )
    ]
    loans_import(write(tmp_path, rows), branch=branch)
    # An overdue installment replaced by a new schedule is no longer owed.
    Installment.objects.filter(loan__number="A-3", number=1).update(replaced=True)

    def expected(loans):
        buckets = {code: [0, 0] for code, _l, _lo, _hi in AGING_BUCKETS}
        for loan in loans:
            late = [i for i in loan.installments.all() if not i.replaced and i.paid < i.amount and i.due_date < today]
            if not late:
                continue
            days = (today - min(i.due_date for i in late)).days
            code = next(c for c, _l, lo, hi in AGING_BUCKETS[1:] if days >= lo and (hi is None or days <= hi))
            buckets[code][0] += 1
            buckets[code][1] += sum(i.amount - i.paid for i in late)
        active = sum(1 for loan in loans if loan.status in (LoanStatus.ACTIVE, LoanStatus.RESCHEDULED))
        buckets["current"][0] = active - sum(count for count, _a in buckets.values())
        return [[code, *figures] for code, figures in buckets.items()]

    for loans in (Loan.objects.all(), Loan.objects.filter(number__in=["A-1", "A-3", "A-4", "A-6"])):
        report = arrears_aging(loans, today)
        assert [[b["code"], b["count"], b["amount"]] for b in report] == expected(list(loans))
    assert sum(b["count"] for b in arrears_aging(Loan.objects.all(), today)[1:]) == 5
