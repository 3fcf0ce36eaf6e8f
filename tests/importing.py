"""What the importers' tests share: files with a byte that is not UTF-8 on a known line, in every
shape that has fooled a line count (a large file, a record spanning lines, Windows line ends, a
byte-order mark), and a management command run as its own process."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

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
