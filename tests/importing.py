"""What the importers' tests share: files with a byte that is not UTF-8 on a known line, in every
shape that has fooled a line count (a large file, a record spanning lines, Windows line ends, a
byte-order mark), files without rows, a management command run as its own process, and refused
uploads through a real browser."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.helpers import database_url

ROOT = Path(__file__).resolve().parent.parent
# An Arabic name saved as Windows-1256 (the usual mistake): its first byte cannot start UTF-8 here.
CP1256 = "علي".encode("cp1256")
_MARK = "\x01bad\x01"  # where the bad bytes go, in a text cell

# row(i, text): the cells of a good row numbered i whose free-text cell holds ``text``.
RowMaker = Callable[[int, str], list[str]]


def csv_file(header: list[str], rows: list[list[str]], *, newline: str = "\n", bom: bool = False) -> bytes:
    """The file's bytes; a cell holding ``_MARK`` gets the Windows-1256 bytes instead."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    content = out.getvalue().encode().replace(_MARK.encode(), CP1256)
    return (b"\xef\xbb\xbf" if bom else b"") + content


def bad_byte_files(header: list[str], row: RowMaker) -> list[pytest.ParameterSet]:
    """(file bytes, line of the first bad byte), one case for each shape."""

    def rows(count: int, bad: int, *, split: int | None = None, split_text: str = "first\nsecond") -> list[list[str]]:
        return [row(i, _MARK if i == bad else split_text if i == split else "") for i in range(1, count + 1)]

    return [
        pytest.param(csv_file(header, rows(2, 2)), 3, id="line-3"),
        pytest.param(csv_file(header, rows(4, 3)), 4, id="line-4"),
        pytest.param(csv_file(header, rows(3010, 2999)), 3000, id="line-3000-of-a-large-file"),
        pytest.param(csv_file(header, rows(4, 3, split=1)), 5, id="after-a-record-spanning-two-lines"),
        pytest.param(
            csv_file(header, rows(3, 0, split=1, split_text=f"first\n{_MARK}")), 3, id="inside-a-quoted-field"
        ),
        pytest.param(csv_file(header, rows(4, 3), newline="\r\n"), 4, id="windows-line-ends"),
        pytest.param(csv_file(header, rows(3, 2), bom=True), 3, id="byte-order-mark"),
    ]


def header_only(header: list[str]) -> list[pytest.ParameterSet]:
    """Files without a row: nothing at all, the header alone, the header and blank lines."""
    line = ",".join(header).encode()
    return [
        pytest.param(b"", id="nothing"),
        pytest.param(line + b"\n", id="header-only"),
        pytest.param(b"\xef\xbb\xbf" + line + b"\r\n\r\n  \r\n", id="header-and-blank-lines"),
    ]


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` in its own process on the test database (committed data only: ``transactional_db``)."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "PYTHONWARNINGS": "ignore"}
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url()
    else:
        env.pop("DATABASE_URL", None)
        env["GOVPORTAL_VAR_DIR"] = str(Path(connection.settings_dict["NAME"]).parent)
    return subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SCREENS = ROOT / "test-results" / "screens"


def refusals(bad_byte: bytes, line: int, header: list[str]) -> dict[str, tuple[bytes, dict[str, str]]]:
    """A file with a bad byte on ``line`` and one of only its header, each with the start of what
    the error summary says in each language."""
    return {
        "bad-byte": (
            bad_byte,
            {"ar": f"السطر {line} من الملف ليس نصاً بترميز UTF-8", "en": f"Line {line} of the file is"},
        ),
        "empty": (
            ",".join(header).encode() + b"\n",
            {"ar": "لا يحتوي الملف على صفوف لاستيرادها", "en": "The file has no rows to import"},
        ),
    }


def refused_in_a_browser(
    page: Any, live_server: Any, membership: Any, *, url: str, form: str, files: dict[str, Any], name: str
) -> list[str]:
    """Upload each file of ``refusals`` through the real form at ``url`` (``form``: its CSS
    selector), in Arabic and English, and read the error summary. Screenshots at 360 and 1280 px go
    to test-results/screens/<name>-<case>-<language>-<width>.png; returns the problems found
    (sideways scrolling, axe violations)."""
    from tests.conftest import login_staff
    from tests.e2e.test_accessibility import wcag_reports

    def shot(label: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    cookie = login_staff(Client(), membership).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    problems = []
    for language in ("ar", "en"):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        for case, (content, said) in files.items():
            page.goto(url)
            chosen = {"name": "list.csv", "mimeType": "text/csv", "buffer": content}
            page.locator(f"{form} input[type=file]").set_input_files(files=[chosen])
            page.locator(f"{form} button[type=submit]").click()
            page.wait_for_load_state()
            summary = " ".join(page.locator(".error-summary").all_inner_texts())
            assert said[language] in summary, summary
            problems += wcag_reports(page, shot, f"{name}-{case}-{language}")
    return problems
