"""Every error the API answers: JSON ``{"error": {"code": …, "message": …}}`` with a stable code (for
programs) and a message in the caller's language (for people), plus ``fields`` for invalid input."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from ninja import Schema


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str | Promise,
        *,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, str(message)
        self.fields = fields or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    """The body of every error, as the OpenAPI document declares it."""

    error: ErrorDetail


# The errors any authenticated endpoint may answer, to merge into its ``response=``.
COMMON_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}
