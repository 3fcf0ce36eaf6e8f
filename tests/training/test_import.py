"""Nominating from a CSV or XLSX file: all the rows or none, with every bad row reported."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from training.importer import nominations_import
from training.models import Nomination, Trainee

HEADER = "full_name,national_id,job_title,email,phone\n"
GOOD = [
    "حسن علي الربيعي,198501234567,مسجل الصادرة,hassan@mof.example.iq,07701234567",
    "فاطمة جواد الموسوي,199003456789,مديرة مكتب,,",
    "كرار عباس الشمري,199205678901,موظف الواردة,,07811112222",
]


def csv_file(*rows: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", (header + "\n".join(rows) + "\n").encode(), content_type="text/csv")


def run(world, upload):
    return nominations_import(session=world.session, entity=world.ministry, upload=upload, actor=world.coordinator)


def test_a_good_file_nominates_everyone(world):
    report = run(world, csv_file(*GOOD))
    assert report.ok and report.imported == 3
    assert sorted(Nomination.objects.values_list("trainee__national_id", flat=True)) == [
        "198501234567",
        "199003456789",
        "199205678901",
    ]
    assert Trainee.objects.get(national_id="199205678901").phone == "07811112222"


def test_a_file_with_bad_rows_changes_nothing_and_names_each_bad_row(world):
    rows = [
        GOOD[0],
        "فاطمة جواد الموسوي,12345,مديرة مكتب,,",  # national ID too short
        "كرار عباس الشمري,199205678901,,,",  # job title missing
        "حسن علي الربيعي,198501234567,مسجل الصادرة,,",  # repeats line 2
        "زينب كاظم,199512345678,محاسبة,,0123",  # bad phone
    ]
    report = run(world, csv_file(*rows))
    assert not report.ok and report.imported == 0
    assert [error["line"] for error in report.errors] == [3, 4, 5, 6]
    assert not Nomination.objects.exists()
    assert not Trainee.objects.exists()  # not even the good first row's employee


def test_rows_beyond_the_quota_are_errors_and_nothing_is_nominated(world):
    fourth = "زينب كاظم حسين,199512345678,محاسبة,,"
    report = run(world, csv_file(*GOOD, fourth))
    assert [error["line"] for error in report.errors] == [5]
    assert "3" in " ".join(report.errors[0]["errors"])  # the quota is named
    assert not Nomination.objects.exists()


def test_arabic_headings_and_an_xlsx_file_work(world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["الاسم الكامل", "الرقم الوطني", "العنوان الوظيفي"])
    sheet.append(["حسن علي الربيعي", 198501234567, "مسجل الصادرة"])  # the ID typed as a number
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("list.xlsx", buffer.getvalue())
    report = run(world, upload)
    assert report.ok and report.imported == 1
    assert Nomination.objects.get().trainee.national_id == "198501234567"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xff\xfe\x00bad", "bad_type"),
        (b"name,job\nx,y\n", "bad_header"),
        (b"PK\x03\x04 not really a spreadsheet", "bad_type"),
    ],
)
def test_a_file_that_is_not_a_list_of_employees_is_refused(world, content, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        run(world, SimpleUploadedFile("list.csv", content))
    assert caught.value.code == code
    assert not Nomination.objects.exists()
