"""Nominating from a CSV or XLSX file: all the rows or none, with every bad row reported."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from govportal.accounts.models import Membership
from tests.importing import bad_byte_files, header_only, refusals, refused_in_a_browser
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
    with pytest.raises(ValidationError) as caught:
        run(world, SimpleUploadedFile("list.csv", content))
    assert caught.value.code == code
    assert not Nomination.objects.exists()


# --- files that cannot be read: bad bytes, no rows, damaged spreadsheets ----------------------------


def employee_row(i: int, text: str) -> list[str]:
    """A good row numbered ``i`` whose name ends with ``text`` (the quota would refuse most: the
    file is refused before its rows are looked at)."""
    return [f"حسن علي {i}{text}", f"1985{i:08d}", "مسجل الصادرة", "", ""]


BAD_BYTES = bad_byte_files(HEADER.strip().split(","), employee_row)
EMPTY_FILES = header_only(HEADER.strip().split(","))


def refused(world, content: bytes, name: str = "list.csv") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        run(world, SimpleUploadedFile(name, content))
    assert not Nomination.objects.exists() and not Trainee.objects.exists()
    return caught.value


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_a_byte_that_is_not_utf8_is_refused_naming_its_line(world, content, line):
    error = refused(world, content)
    assert (error.code, error.params["line"]) == ("not_utf8", line)
    assert error.messages[0].startswith(f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف ")


@pytest.mark.parametrize("content", EMPTY_FILES)
def test_a_file_without_rows_is_refused_as_empty(world, content):
    error = refused(world, content)
    assert error.code == "empty"
    with translation.override("en"):
        assert refused(world, content).messages == [
            "The file has no rows to import: it is empty or holds only its header."
        ]


def workbook(*rows: list[object]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def damaged_workbook() -> bytes:
    """A real XLSX whose sheet is cut short: a zip with the right names, XML that does not parse."""
    source = zipfile.ZipFile(io.BytesIO(workbook(["full_name", "national_id", "job_title"], ["حسن", "1", "x"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in source.infolist():
            data = source.read(item)
            damaged.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    return out.getvalue()


def test_an_empty_sheet_and_a_sheet_of_only_headings_are_refused_as_empty(world):
    assert refused(world, workbook(), "list.xlsx").code == "empty"
    assert refused(world, workbook(["الاسم الكامل", "الرقم الوطني", "العنوان الوظيفي"]), "list.xlsx").code == "empty"


def test_a_damaged_spreadsheet_is_refused_with_a_message_not_a_traceback(world):
    error = refused(world, damaged_workbook(), "list.xlsx")
    assert error.code == "bad_type"
    assert error.messages == [
        "تعذّرت قراءة جدول البيانات، وربما يكون الملف تالفاً. "
        "احفظه من جديد بصيغة XLSX أو بصيغة CSV UTF-8 ثم أعد المحاولة."
    ]


def test_a_row_of_a_spreadsheet_is_named_by_its_row_number(world):
    rows = [["full_name", "national_id", "job_title"], [], ["حسن علي", 198501234567, "مسجل"], ["فاطمة", 12, "مديرة"]]
    report = run(world, SimpleUploadedFile("list.xlsx", workbook(*rows)))
    assert [error["line"] for error in report.errors] == [4]


def test_a_record_spanning_lines_is_named_by_the_line_where_it_starts(world):
    content = HEADER + '"حسن\nعلي",198501234567,مسجل,,\nفاطمة,12,مديرة,,\n'
    report = run(world, SimpleUploadedFile("list.csv", content.encode()))
    assert [error["line"] for error in report.errors] == [4]


# --- the session page's import form ---------------------------------------------------------------------


@pytest.fixture
def coordinator(world, staff_client):
    return staff_client(Membership.objects.get(user=world.coordinator))


def post_file(world, client, content: bytes, name: str = "list.csv"):
    return client.post(
        f"/training/sessions/{world.session.pk}/import/",
        {"entity": world.ministry.pk, "file": SimpleUploadedFile(name, content)},
    )


def error_summary(response) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('class="error-summary"')
    return page[start : page.index("</div>", start)]


@pytest.mark.parametrize(("content", "line"), BAD_BYTES)
def test_the_page_names_the_line_of_a_byte_that_is_not_utf8(world, coordinator, content, line):
    summary = error_summary(post_file(world, coordinator, content))
    assert f"السطر {line} من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف " in summary
    assert not Nomination.objects.exists() and not Trainee.objects.exists()


@pytest.mark.parametrize("content", [*EMPTY_FILES, pytest.param(workbook(), id="empty-sheet")])
def test_the_page_refuses_a_file_without_rows_as_empty(world, coordinator, content):
    name = "list.xlsx" if content.startswith(b"PK") else "list.csv"
    summary = error_summary(post_file(world, coordinator, content, name))
    assert "لا يحتوي الملف على صفوف لاستيرادها: فهو فارغ أو لا يحتوي إلا على سطر العناوين." in summary
    assert not Nomination.objects.exists()


def test_the_page_refuses_a_damaged_spreadsheet_with_a_message(world, coordinator):
    summary = error_summary(post_file(world, coordinator, damaged_workbook(), "list.xlsx"))
    assert "تعذّرت قراءة جدول البيانات" in summary


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (GOOD[:1], "تم ترشيح موظف واحد من الملف."),
        (GOOD[:2], "تم ترشيح موظفَين من الملف."),
        (GOOD, "تم ترشيح 3 موظفين من الملف."),
    ],
)
def test_the_page_counts_the_employees_nominated_in_words(world, coordinator, rows, said):
    response = post_file(world, coordinator, csv_file(*rows).read())
    assert response.status_code == 302
    assert said in coordinator.get(response["Location"]).content.decode()


def test_the_page_counts_bad_rows_in_words(world, coordinator):
    rows = [GOOD[0], "فاطمة,12,مديرة,,", "كرار,199205678901,,,"]
    response = post_file(world, coordinator, csv_file(*rows).read())
    assert response.status_code == 400
    assert "2 صفّان فيهما مشكلات؛ لم يُرشَّح أي أحد من الملف." in response.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_file_in_a_browser_names_the_line_or_says_the_file_is_empty(page, live_server, world):
    """On the session's page: a file with a bad byte on line 3000 and one of only its header, the
    error summary in both languages, screenshots at 360 and 1280 px, no axe violations."""
    problems = refused_in_a_browser(
        page,
        live_server,
        Membership.objects.get(user=world.coordinator),
        url=f"/training/sessions/{world.session.pk}/",
        form="form[action*='/import/']",
        name="training-import",
        files=refusals(
            next(case.values[0] for case in BAD_BYTES if case.id == "line-3000-of-a-large-file"),
            3000,
            HEADER.strip().split(","),
        ),
    )
    assert not Nomination.objects.exists()
    assert not problems, "\n".join(problems)
