"""The importers' shared reading: the line and character of the first byte that is not UTF-8 in
every shape of file and however it is cut into chunks, records on the line where they start,
files without rows, and counts in words with Arabic's six plural forms."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from govportal.importing import (
    BadByte,
    CsvRecords,
    Utf8Check,
    bad_byte,
    more_bad_rows,
    refused_summary,
    scan_csv,
    utf8_text,
)

ALEF = "ا".encode()  # two bytes
HEADER = ["a", "b"]


def chunked(data: bytes, size: int) -> BadByte | None:
    check = Utf8Check()
    for start in range(0, len(data), size):
        if found := check.feed(data[start : start + size]):
            return found
    return check.end()


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"a,b\nx,y\nxy,\xff\n", BadByte(3, 4)),
        (b"a,b\r\nx,y\r\nx,y\r\n\xc8\xd1,z\r\n", BadByte(4, 1)),  # Windows line ends, Windows-1256 text
        (b"\xef\xbb\xbfa,b\n" + ALEF * 3 + b"\xe9t\n", BadByte(2, 4)),  # the mark is no character; ا is one
        (b'a,b\n"one\ntwo \xff",c\n', BadByte(3, 5)),  # inside a quoted field: its own line
        (b"a,b\nx," + ALEF[:1], BadByte(2, 3)),  # a character cut short by the end of the file
        (b"a,b\n" + b"x,y\n" * 2998 + b"x,\xa0\n" + b"x,y\n" * 50, BadByte(3000, 3)),
        (b"a,b\n" + ALEF * 100_000 + b"\n\xed\xa0\x80\n", BadByte(3, 1)),  # a surrogate is not UTF-8 either
    ],
)
def test_the_first_bad_byte_is_found_on_its_line_however_the_file_is_cut(data, where):
    assert bad_byte(data) == where
    assert bad_byte(io.BytesIO(data)) == where
    for size in (1, 2, 3, 7, 4096):  # characters and line ends cut in two between chunks
        assert chunked(data, size) == where


def test_good_text_has_no_bad_byte():
    data = b"\xef\xbb\xbf" + "الاسم,رقم\r\nزينب,١٢\n".encode() * 1000
    assert bad_byte(data) is None
    assert all(chunked(data, size) is None for size in (1, 2, 5, 1000))
    assert utf8_text(data).startswith("الاسم")


def test_utf8_text_refuses_with_the_line_in_the_readers_language():
    with pytest.raises(ValidationError) as refused:
        utf8_text(b"a,b\nok,ok\nbad,\xff\n")
    assert (refused.value.code, refused.value.params) == ("not_utf8", {"line": 3, "column": 5})
    assert refused.value.messages == [
        "السطر 3 من الملف ليس نصاً بترميز UTF-8 ابتداءً من الحرف 5. احفظ الملف بترميز UTF-8 ثم أعد المحاولة؛ "
        "وفي برنامج Excel اختر عند الحفظ النوع CSV UTF-8."
    ]
    with translation.override("en"):
        assert BadByte(3, 5).reason() == (
            "this line is not UTF-8 text from character 5 on: save the file as UTF-8 and import it again"
        )


def test_a_record_is_on_the_line_where_it_starts():
    text = 'a,b\r\n"one\r\ntwo",x\r\n\r\nz,"3\n4\n5"\ny,y\n'
    assert list(CsvRecords(io.StringIO(text, newline=""))) == [
        (1, ["a", "b"]),
        (2, ["one\r\ntwo", "x"]),
        (4, []),
        (5, ["z", "3\n4\n5"]),
        (8, ["y", "y"]),
    ]


def scan(data: bytes) -> int:
    return scan_csv(io.BytesIO(data), max_bytes=10_000, columns=HEADER, wrong_header="not ours").rows


@pytest.mark.parametrize("data", [b"", b"a,b", b"a,b\n", b"\xef\xbb\xbfa,b\r\n", b"a,b\n\n  \r\n\t\n"])
def test_a_scan_refuses_a_file_without_rows(data):
    with pytest.raises(ValidationError) as refused:
        scan(data)
    assert refused.value.code == "empty"


def test_a_scan_counts_the_lines_after_the_header_and_checks_every_byte():
    assert scan(b"a,b\n1,2\n3,4\n") == 2
    assert scan(b"a,b\r\n1,2\r\n3,4") == 2
    with pytest.raises(ValidationError) as refused:
        scan(b"a,b\n1,2\n3,\xe9\n")
    assert (refused.value.code, refused.value.params["line"]) == ("not_utf8", 3)
    with pytest.raises(ValidationError) as refused:
        scan(b"x,y\n")
    assert (refused.value.code, refused.value.messages) == ("bad_header", ["not ours"])


# n: (Arabic plural form, the words). Forms: 0; 1; 2; 3-10; 11-99; 100-102 (and every n % 100 < 3).
ARABIC = {
    1: "صف خاطئ واحد من أصل 500؛ لم يُستورد شيء.",
    2: "صفّان خاطئان من أصل 500؛ لم يُستورد شيء.",
    3: "3 صفوف خاطئة من أصل 500؛ لم يُستورد شيء.",
    10: "10 صفوف خاطئة من أصل 500؛ لم يُستورد شيء.",
    11: "11 صفاً خاطئاً من أصل 500؛ لم يُستورد شيء.",
    99: "99 صفاً خاطئاً من أصل 500؛ لم يُستورد شيء.",
    100: "100 صف خاطئ من أصل 500؛ لم يُستورد شيء.",
    102: "102 صف خاطئ من أصل 500؛ لم يُستورد شيء.",
    103: "103 صفوف خاطئة من أصل 500؛ لم يُستورد شيء.",
    111: "111 صفاً خاطئاً من أصل 500؛ لم يُستورد شيء.",
}


@pytest.mark.parametrize(("bad", "words"), ARABIC.items())
def test_bad_rows_are_counted_with_the_arabic_plural_forms(bad, words):
    assert refused_summary(bad_rows=bad, rows=500) == words


def test_counts_read_correctly_in_english_and_a_refused_file_is_not_counted_as_a_bad_row():
    with translation.override("en"):
        assert refused_summary(bad_rows=1, rows=3) == "1 bad row out of 3; nothing was imported."
        assert refused_summary(bad_rows=1_200, rows=50_000) == "1,200 bad rows out of 50,000; nothing was imported."
        assert refused_summary(bad_rows=0, rows=0) == "The file was refused; nothing was imported."
        assert [more_bad_rows(n) for n in (1, 5)] == ["and 1 more bad row", "and 5 more bad rows"]
    assert refused_summary(bad_rows=0, rows=0) == "رُفض الملف ولم يُستورد منه شيء."
    assert [more_bad_rows(n) for n in (1, 2, 5, 20, 300)] == [
        "وصف خاطئ آخر",
        "وصفّان خاطئان آخران",
        "و5 صفوف خاطئة أخرى",
        "و20 صفاً خاطئاً آخر",
        "و300 صف خاطئ آخر",
    ]
