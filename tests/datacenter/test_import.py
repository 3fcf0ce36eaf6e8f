"""Legacy certificates: signed and verifiable once imported; every bad row, and any file that is
not UTF-8 text or has no rows, refused with its line, nothing stored, exit status 1."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from datacenter.importer import COLUMNS
from datacenter.models import Certificate
from govportal.audit.models import AuditEvent
from govportal.numbering.models import Counter
from govportal.verification.models import Artifact
from govportal.verification.services import token_verify
from tests.factories import EntityFactory
from tests.importing import bad_byte_files, header_only, manage

pytestmark = pytest.mark.django_db

GOOD = {
    "serial": "NDC-2024-000007",
    "issuing_entity": "NDC",
    "requesting_entity": "MOF",
    "document_type": "degree",
    "document_number": "UOB-2010-12",
    "document_date": "2010-06-30",
    "holder_name": "زينب علي حسن",
    "holder_national_id": "198512345670",
    "outcome": "confirmed",
    "reason": "",
    "issued_at": "2024-03-05T10:30",
}


def write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "legacy.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def entities():
    EntityFactory(code="NDC")
    EntityFactory(code="MOF")


def test_a_good_file_imports_signed_verifiable_certificates_once(entities, tmp_path, capsys):
    rows = [GOOD, {**GOOD, "serial": "NDC-2024-000009", "outcome": "not_confirmed", "reason": "غير موجود"}]
    path = write(tmp_path, rows)
    call_command("import_certificates", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2
    certificate = Certificate.objects.get(serial="NDC-2024-000007")
    assert certificate.legacy
    assert token_verify(certificate.artifact.token).genuine
    # New serials for 2024 continue after the legacy ones.
    assert Counter.objects.get(entity__code="NDC", register="certificate", year=2024).value == 9
    call_command("import_certificates", str(path), "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["imported"] == 0
    assert again["already_present"] == 2
    assert Certificate.objects.count() == 2


def test_bad_rows_are_all_reported_and_nothing_is_imported(entities, tmp_path, capsys):
    rows = [
        GOOD,
        {**GOOD, "serial": "NDC-2024-000008", "holder_national_id": "123"},
        {**GOOD, "serial": "NDC-2024-000009", "issuing_entity": "NOPE", "document_date": "30/06/2010"},
        {**GOOD},  # repeats the first serial
    ]
    path = write(tmp_path, rows)
    with translation.override("en"), pytest.raises(CommandError, match="3 bad rows out of 4; nothing was imported"):
        call_command("import_certificates", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert [problem["line"] for problem in report["errors"]] == [3, 4, 5]
    assert len(report["errors"][1]["errors"]) == 2
    assert "NOPE" in report["errors"][1]["errors"][0]
    assert not Certificate.objects.exists()


def test_a_file_without_the_expected_columns_is_refused(entities, tmp_path, capsys):
    path = tmp_path / "wrong.csv"
    path.write_text("serial,name\nA,B\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="The file was refused; nothing was imported"):
        call_command("import_certificates", str(path))
    assert capsys.readouterr().out.startswith("line 1: The file's header lacks these columns: issuing_entity, ")
    assert not Certificate.objects.exists()


def certificate_row(i: int, text: str) -> list[str]:
    """A good row numbered ``i`` whose holder's name ends with ``text``."""
    return list({**GOOD, "serial": f"NDC-2024-{i:06d}", "holder_name": f"زينب علي{text}"}.values())


def nothing_stored() -> None:
    assert not Certificate.objects.exists()
    assert not Artifact.objects.exists()
    assert not Counter.objects.exists()
    assert not AuditEvent.objects.filter(action="certificate_import").exists()


@pytest.mark.parametrize(("content", "line"), bad_byte_files(COLUMNS, certificate_row))
def test_a_byte_that_is_not_utf8_is_named_by_its_line_and_nothing_is_imported(
    entities, tmp_path, capsys, content, line
):
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match="^The file was refused; nothing was imported"):
        call_command("import_certificates", str(path))
    printed = capsys.readouterr().out
    assert printed.startswith(f"line {line}: this line is not UTF-8 text from character ")
    assert printed.count("\n") == 1  # the bad byte alone, not the rows read before it
    nothing_stored()
    with pytest.raises(CommandError):
        call_command("import_certificates", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["rows"], report["bad_rows"]) == (False, 0, 0)
    assert [problem["line"] for problem in report["errors"]] == [line]
    nothing_stored()


@pytest.mark.parametrize("content", header_only(COLUMNS))
def test_a_file_without_rows_is_refused_as_empty(entities, tmp_path, capsys, content):
    path = tmp_path / "legacy.csv"
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match="The file was refused; nothing was imported"):
        call_command("import_certificates", str(path))
    assert capsys.readouterr().out == "The file has no rows to import: it is empty or holds only its header.\n"
    with pytest.raises(CommandError, match="رُفض الملف ولم يُستورد منه شيء."):
        call_command("import_certificates", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and len(report["errors"]) == 1
    nothing_stored()


@pytest.mark.parametrize(
    ("bad", "english", "arabic"),
    [
        (1, "1 bad row out of 3; nothing was imported.", "صف خاطئ واحد من أصل 3؛ لم يُستورد شيء."),
        (2, "2 bad rows out of 3; nothing was imported.", "صفّان خاطئان من أصل 3؛ لم يُستورد شيء."),
        (3, "3 bad rows out of 3; nothing was imported.", "3 صفوف خاطئة من أصل 3؛ لم يُستورد شيء."),
    ],
)
def test_bad_rows_are_counted_in_words_in_both_languages(entities, tmp_path, capsys, bad, english, arabic):
    rows = [{**GOOD, "serial": f"NDC-2024-{i:06d}", "holder_national_id": "12" if i <= bad else "198512345670"}
            for i in range(1, 4)]  # fmt: skip
    path = write(tmp_path, rows)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_certificates", str(path))
    assert str(refused.value) == english
    assert capsys.readouterr().out.count("\n") == bad  # each bad row on its line
    with pytest.raises(CommandError) as refused:
        call_command("import_certificates", str(path), "--json")
    assert str(refused.value) == arabic
    report = json.loads(capsys.readouterr().out)
    assert (report["rows"], report["bad_rows"], len(report["errors"])) == (3, bad, bad)
    nothing_stored()


@pytest.mark.postgres
def test_the_command_exits_with_status_1_and_a_message_not_a_traceback(transactional_db, tmp_path):
    EntityFactory(code="NDC")
    path = tmp_path / "legacy.csv"
    path.write_bytes(next(case.values[0] for case in bad_byte_files(COLUMNS, certificate_row) if case.id == "line-3"))
    result = manage("import_certificates", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("السطر 3: هذا السطر ليس نصاً بترميز UTF-8")
    assert result.stderr.strip() == "CommandError: رُفض الملف ولم يُستورد منه شيء."
    assert not Certificate.objects.exists()
