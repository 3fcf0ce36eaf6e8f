"""The progress report: tables, the bar chart's rows, and CSV/XLSX exports of the same figures."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from govportal.web.csv_export import csv_response
from training import selectors
from training.constants import TARGET_TRAINEES
from training.forms import ReportFilterForm
from training.models import Programme
from training.selectors import ProgressRow

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_context(params: QueryDict, programmes: QuerySet[Programme]) -> dict[str, Any]:
    form = ReportFilterForm(params or None, programmes=programmes)
    chosen = form.cleaned_data.get("programme") if form.is_valid() else None
    scope = programmes.filter(pk=chosen.pk) if chosen else programmes
    by_entity = selectors.progress_by_entity(scope)
    by_programme = selectors.progress_by_programme(scope)
    total = selectors.progress_total(by_programme)
    return {
        "form": form,
        "programme": chosen,
        "by_entity": by_entity,
        "by_programme": by_programme,
        "total": total,
        "target": TARGET_TRAINEES,
        "target_percent": min(100, round(100 * total.trained / TARGET_TRAINEES)),
        "chart_entities": [row for row in by_entity if row.quota][:15],
        "query": params.urlencode() if params else "",
    }


def _header() -> list[str]:
    return [
        _("Code"),
        _("Name"),
        _("Quota"),
        _("Nominated"),
        _("Seated"),
        _("Trained"),
        _("Not passed"),
        _("Trained of quota (%)"),
        _("Attendance rate (%)"),
        _("Pass rate (%)"),
    ]


def _line(row: ProgressRow) -> list[Any]:
    return [
        row.code,
        row.label,
        row.quota,
        row.nominated,
        row.enrolled,
        row.trained,
        row.failed,
        row.percent,
        "" if row.attendance_rate is None else row.attendance_rate,
        "" if row.pass_rate is None else row.pass_rate,
    ]


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def report_export(kind: str, table: str, context: dict[str, Any]) -> HttpResponse | StreamingHttpResponse | None:
    """``kind`` csv or xlsx; ``table`` institutions or programmes. None when either is unknown."""
    rows = {"institutions": context["by_entity"], "programmes": context["by_programme"]}.get(table)
    if rows is None or kind not in ("csv", "xlsx"):
        return None
    lines = [_header(), *[[_safe(value) for value in _line(row)] for row in rows]]
    name = f"training-{table}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        return csv_response(name, lines[0], lines[1:])
    from openpyxl import Workbook  # heavy: only when a spreadsheet is asked for

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 — a new workbook has one sheet
    sheet.title = table
    sheet.sheet_view.rightToLeft = True
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
