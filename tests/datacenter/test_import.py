import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from datacenter.importer import COLUMNS
from datacenter.models import Certificate
from govportal.numbering.models import Counter
from govportal.verification.services import token_verify
from tests.factories import EntityFactory

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
    with pytest.raises(CommandError, match="3 bad rows out of 4; nothing was imported"):
        call_command("import_certificates", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert [problem["line"] for problem in report["errors"]] == [3, 4, 5]
    assert len(report["errors"][1]["errors"]) == 2
    assert "NOPE" in report["errors"][1]["errors"][0]
    assert not Certificate.objects.exists()


def test_a_file_without_the_expected_columns_is_refused(entities, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("serial,name\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="issuing_entity, requesting_entity"):
        call_command("import_certificates", str(path))
