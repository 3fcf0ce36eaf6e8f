"""Cursor pagination: newest first, a page at a time, the next page named by an opaque cursor
(the sort key of the last row shown), so a page costs the same at any depth and rows added
meanwhile neither repeat nor go missing."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from govportal.api.errors import ApiError

MAX_LIMIT = 100


def _encode(row: Model) -> str:
    key = [row.created_at.isoformat(), str(row.pk)]  # type: ignore[attr-defined]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[dt.datetime, str]:
    try:
        created_at, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return dt.datetime.fromisoformat(created_at), str(pk)
    except (ValueError, TypeError) as error:
        raise ApiError(400, "invalid_cursor", _("This cursor is not one the API gave.")) from error


def cursor_page[M: Model](queryset: QuerySet[M], *, cursor: str | None, limit: int) -> dict[str, Any]:
    """``{"items": [...rows], "next_cursor": str | None}`` of ``queryset`` by ``-created_at, -pk``."""
    limit = max(1, min(limit, MAX_LIMIT))
    queryset = queryset.order_by("-created_at", "-pk")
    if cursor:
        created_at, pk = _decode(cursor)
        queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": _encode(rows[-1]) if more and rows else None}
