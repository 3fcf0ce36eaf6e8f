"""CSV downloads: streamed row by row (registers and portfolios run to 100,000+ rows), UTF-8 with
the byte-order mark Excel needs to read Arabic, and cells a spreadsheet would run as a formula
written as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import translation


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    language = translation.get_language()

    def lines() -> Iterator[str]:
        # Rows are produced while the response streams, after the view returned: keep its language.
        with translation.override(language):
            yield "\ufeff" + writer.writerow([csv_cell(value) for value in header])
            for row in rows:
                yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
