"""What every importer shares: a file's bytes checked as UTF-8 text, naming the line of the first
byte that is not; a file without rows refused as empty; CSV records numbered by their line; and
the words for the counts of a refused import.

Lines are numbered as an editor numbers them: the header is line 1 and a line ends at ``\\n``
(so at ``\\r\\n`` too); a byte-order mark is not a character of line 1. A record whose quoted
field holds a line break is on the line where it starts (``CsvRecords``), while a byte that is
not UTF-8 is named on its own line (``BadByte``), wherever its record starts.

Checking costs next to nothing where it matters: a chunk of plain ASCII (a provider's settlement
file of a million lines) is checked by ``bytes.isascii`` alone, and readers that decode as they
go look for the bad byte's line only after decoding has failed (``bad_byte``).

Each importer keeps its own rules for its rows; what it says about the file as a whole comes from
here, so the certificates, loans, settlement and nominations importers say it alike.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govportal.text import clauses_joined
from govportal.uploads import check_size

CHUNK = 1024 * 1024

# Reasons shown beside a line number (a report's table, a command's "line N: …"). A form's
# error, with no table around it, is a whole sentence (``BadByte.error``, ``empty_error``).
NOT_UTF8 = gettext_lazy(
    "this line is not UTF-8 text from character %(column)s on: save the file as UTF-8 and import it again"
)
EMPTY = gettext_lazy("The file has no rows to import: it is empty or holds only its header.")


@dataclass(frozen=True)
class BadByte:
    """Where the first byte that is not UTF-8 is: its line and its character on that line (from 1)."""

    line: int
    column: int

    def reason(self) -> str:
        """In the active language, for beside the line number."""
        return str(NOT_UTF8) % {"column": self.column}

    def error(self) -> ValidationError:
        return ValidationError(
            _(
                "Line %(line)s of the file is not UTF-8 text from character %(column)s on. Save the file as UTF-8 "
                "(in Excel: “CSV UTF-8”) and try again."
            ),
            code="not_utf8",
            params={"line": self.line, "column": self.column},
        )


def empty_error() -> ValidationError:
    return ValidationError(str(EMPTY), code="empty")


class Utf8Check:
    """Fed a file's bytes in order, chunk by chunk: where the first byte that is not UTF-8 is.

    A character cut in two by the end of a chunk is completed by the next one; one cut short by
    the end of the file is a bad byte too (``end``). ``line`` is the line the next byte is on.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # takes off a byte-order mark
        self._seen = 0
        self.line = 1
        self._column = 1

    def feed(self, chunk: bytes) -> BadByte | None:
        plain = self._seen >= 3 and not self._decoder.getstate()[0] and chunk.isascii()
        self._seen += len(chunk)
        if plain:  # nothing to decode: bytes are characters
            self._advance(chunk.count(b"\n"), len(chunk), chunk.rfind(b"\n"))
            return None
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as error:
            # The error's object is what the decoder held back from the last chunk, then this one.
            text = error.object[: error.start].decode("utf-8")
            self._advance(text.count("\n"), len(text), text.rfind("\n"))
            return BadByte(self.line, self._column)
        self._advance(text.count("\n"), len(text), text.rfind("\n"))
        return None

    def end(self) -> BadByte | None:
        return BadByte(self.line, self._column) if self._decoder.getstate()[0] else None

    def _advance(self, breaks: int, length: int, last_break: int) -> None:
        """Past ``length`` characters holding ``breaks`` line ends, the last at ``last_break``."""
        if breaks:
            self.line += breaks
            self._column = length - last_break
        else:
            self._column += length


def chunks_of(source: str | Path | IO[bytes] | bytes) -> Iterator[bytes]:
    """A file's bytes in chunks, from a path, bytes, or a binary file (read from its start)."""
    if isinstance(source, bytes):
        yield source
    elif isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    else:
        source.seek(0)
        while chunk := source.read(CHUNK):
            yield chunk


def bad_byte(source: str | Path | IO[bytes] | bytes) -> BadByte | None:
    """The first byte of a file that is not UTF-8, if any. Readers that decode as they go call this
    once decoding has failed: their decoder reads ahead, so it cannot say which line it was on."""
    check = Utf8Check()
    for chunk in chunks_of(source):
        if found := check.feed(chunk):
            return found
    return check.end()


def utf8_text(data: bytes) -> str:
    """A small file's bytes as text (byte-order mark taken off); a translated error naming the
    line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found = bad_byte(data)
        raise (found or BadByte(1, 1)).error() from None


class CsvRecords:
    """Every record of CSV text with the line where it starts (the header's is 1); blank lines are
    records without cells. After a ``csv.Error``, ``line_num`` is the line the reader gave up on."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._reader = csv.reader(lines)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        start = self._reader.line_num + 1  # the line after the last record's end
        return start, next(self._reader)

    @property
    def line_num(self) -> int:
        return self._reader.line_num


def refused_summary(*, bad_rows: int, rows: int) -> str:
    """The last words of a refused import: how many of its rows were bad, or that the file was."""
    if bad_rows:
        return ngettext(
            "%(bad)s bad row out of %(rows)s; nothing was imported.",
            "%(bad)s bad rows out of %(rows)s; nothing was imported.",
            bad_rows,
        ) % {"bad": f"{bad_rows:,}", "rows": f"{rows:,}"}
    return _("The file was refused; nothing was imported.")


def more_bad_rows(count: int) -> str:
    """The last line of a list of bad rows cut short."""
    return ngettext("and %(count)s more bad row", "and %(count)s more bad rows", count) % {"count": f"{count:,}"}


def problem_text(line: int | None, reasons: list[str], key: str = "") -> str:
    """One refused row (or the file) as a command prints it: "line 3 (BGD-0001): reason; reason"."""
    where = []
    if line:
        where.append(_("line %(line)s") % {"line": line})
    if key:
        where.append(f"({key})")
    said = clauses_joined(reasons)
    return f"{' '.join(where)}: {said}" if where else said


# --- Uploaded CSV files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvScan:
    sha256: str
    size: int
    header: list[str]
    rows: int  # lines after the header: what a progress bar counts towards


def scan_csv(handle: IO[bytes], *, max_bytes: int, columns: list[str], wrong_header: str) -> CsvScan:
    """Read an uploaded CSV once, in chunks: its SHA-256, its size, its header (UTF-8, BOM allowed)
    and how many lines follow. Refuses, by content and with a translated message, a file that is
    too large, not text, not UTF-8 (naming the line), without the header ``columns``
    (``wrong_header``) or without rows."""
    digest, size, check, head, last = hashlib.sha256(), 0, Utf8Check(), b"", b""
    header_ends, rows_follow = False, False
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        check_size(size, max_bytes=max_bytes)
        if b"\x00" in chunk:
            raise ValidationError(_("The file is not a CSV text file."), code="not_csv")
        if found := check.feed(chunk):
            raise found.error()
        digest.update(chunk)
        if len(head) < 65536:
            head += chunk[:65536]
        if not rows_follow:
            rest = chunk
            if not header_ends:
                at = chunk.find(b"\n")
                header_ends, rest = at >= 0, chunk[at + 1 :] if at >= 0 else b""
            rows_follow = bool(rest.strip())
        last = chunk[-1:]
    if found := check.end():
        raise found.error()
    if size == 0:
        raise empty_error()
    first = head.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf").rstrip(b"\r")
    try:
        header = [cell.strip() for cell in next(csv.reader([first.decode("utf-8")]), [])]
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValidationError(_("The file is not a CSV text file."), code="not_csv") from error
    if header != columns:
        raise ValidationError(wrong_header, code="bad_header")
    if not rows_follow:
        raise empty_error()
    rows = check.line - 2 + (last != b"\n")  # lines after the header, the last one unended or not
    return CsvScan(sha256=digest.hexdigest(), size=size, header=header, rows=max(rows, 0))
