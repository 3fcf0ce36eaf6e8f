"""The Nu HTML checker that the page walks use finds what it must: the two errors the issue counted."""

from __future__ import annotations

from tests.html_checker import html_errors


def test_the_checker_reports_a_duplicate_id_and_microseconds_in_a_time():
    page = (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><title>صفحة</title></head><body>'
        '<p id="total">1</p><p id="total"><time datetime="2026-11-22T14:08:00.123456+03:00">14:08</time></p>'
        "</body></html>"
    ).encode()
    errors = html_errors(page)
    assert len(errors) == 2, errors
    assert "Duplicate ID" in errors[0]
    assert "fraction of a second" in errors[1]


def test_a_valid_page_has_no_error():
    page = (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><title>صفحة</title></head><body>'
        '<p id="total"><time datetime="2026-11-22T14:08:00+03:00">14:08</time></p></body></html>'
    ).encode()
    assert html_errors(page) == []
