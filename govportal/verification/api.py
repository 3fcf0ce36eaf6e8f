"""``POST /api/v1/verify``: the public verify page's answer for machines, one document or a batch.

Banks, embassies and employers send what the QR code holds (the token, or the whole URL) or the
serial and date printed on the paper, up to 1,000 at a time, and get for each what the public
page says about it, with no more personal data than it shows (none of its masked details rows).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router
from pydantic import BaseModel, BeforeValidator, ConfigDict

from govportal.api.api import require_scope
from govportal.api.errors import ApiError, ErrorOut
from govportal.verification.checking import (
    DAY_WRITTEN,
    MAX_BATCH,
    Check,
    check_facts,
    checks_count,
    papers_check,
    tokens_check,
)

router = Router(tags=["verify"])

# Items and answers are plain pydantic models, not ninja Schemas: a Schema reads every value
# through its Django-aware getter, which a batch pays a thousand times over (60 ms of 1,000).


class TokenIn(BaseModel):
    """A document by what its QR code holds."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(
        max_length=8192,
        description="The part of the QR code's URL after /v/, or the whole URL (http or https, any host).",
    )


def _printed_date(value: object) -> object:
    """Only a date written YYYY-MM-DD (pydantic alone would read a number as a timestamp)."""
    if isinstance(value, str) and DAY_WRITTEN.fullmatch(value):
        return value
    raise ValueError("a date written YYYY-MM-DD")


PrintedDate = Annotated[dt.date, BeforeValidator(_printed_date)]


class PaperIn(BaseModel):
    """A document by what is printed on it, as the public "check by serial" page takes it."""

    model_config = ConfigDict(extra="forbid")
    serial: str = Field(max_length=200, description="The serial number printed on the document.")
    date: PrintedDate = Field(description="The date of issue printed on the document (YYYY-MM-DD).")


class BatchIn(BaseModel):
    """Many documents, answered in the same order."""

    model_config = ConfigDict(extra="forbid")
    items: list[TokenIn | PaperIn] = Field(
        description=f"Up to {MAX_BATCH:,} documents.",
        json_schema_extra={"maxItems": MAX_BATCH},  # checked by the view, to answer with its own code
    )


class IssuerOut(BaseModel):
    code: str = Field(description="The issuing entity's code.", examples=["NDC"])
    name: str = Field(description="Its name in the caller's language (Arabic where it has none in that language).")


class VerifyOut(BaseModel):
    status: Literal["genuine", "revoked", "not_found", "invalid"] = Field(
        description=(
            "genuine: issued, signed and valid. revoked: genuine but no longer valid (revoked, or replaced by a "
            "newer document: see replaced_by). not_found: no such document is registered (a good signature that "
            "names none, or a serial and date that match nothing). invalid: not genuine (damaged, altered, or "
            "signed by a key that is unknown or revoked)."
        )
    )
    message: str | None = Field(description="Why it is not_found or invalid, in the caller's language.")
    kind: str | None = Field(description="The kind of document.", examples=["certificate"])
    kind_name: str | None = Field(description="The kind, in the caller's language.")
    serial: str | None
    issuer: IssuerOut | None
    issued_on: dt.date | None = Field(description="The date of issue (Baghdad time).")
    revoked_on: dt.date | None = Field(description="When it was revoked (Baghdad time).")
    revocation_reason: str | None = Field(description="Why it is no longer valid.")
    replaced_by: str | None = Field(description="The serial of the document that replaces it.")
    changed: bool = Field(description="Genuine and valid, but changed since issue (a part refunded, say).")
    notes: list[str] = Field(description="The changes, in the caller's language.")


class VerifyItemOut(VerifyOut):
    index: int = Field(description="The item's place in the request, from 0.")
    input: TokenIn | PaperIn = Field(description="The item as it was sent.")


class VerifyBatchOut(BaseModel):
    items: list[VerifyItemOut]


def _checks(items: list[TokenIn | PaperIn]) -> list[Check]:
    """Tokens and papers checked in one batch each, then put back in the order they came in."""
    tokens = {index: item.token for index, item in enumerate(items) if isinstance(item, TokenIn)}
    papers = {index: (item.serial, item.date) for index, item in enumerate(items) if isinstance(item, PaperIn)}
    checks: dict[int, Check] = {}
    checks.update(zip(tokens, tokens_check(list(tokens.values())), strict=True))
    checks.update(zip(papers, papers_check(list(papers.values())), strict=True))
    answers = [checks[index] for index in range(len(items))]
    checks_count(answers)
    return answers


@router.post(
    "",
    response={200: VerifyOut | VerifyBatchOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Verify printed documents",
    operation_id="verify",
)
def verify(request: HttpRequest, payload: TokenIn | PaperIn | BatchIn) -> dict[str, Any]:
    """What the public verify page says about each document: ``genuine``, ``revoked``, ``not_found`` or
    ``invalid``, with its kind, issuer, dates and the reason it was revoked. One document in the body
    gets one answer; ``items`` (up to 1,000) get a list in the same order, each with its ``index``
    and the item as sent. Needs the scope ``verify``."""
    require_scope(request, "verify")
    if not isinstance(payload, BatchIn):
        return check_facts(_checks([payload])[0])
    if len(payload.items) > MAX_BATCH:
        raise ApiError(
            400,
            "too_many_items",
            _("A batch holds at most %(max)s documents; this one holds %(count)s. Send them in several requests.")
            % {"max": f"{MAX_BATCH:,}", "count": f"{len(payload.items):,}"},
        )
    answers = _checks(payload.items)
    return {
        "items": [
            {**check_facts(check), "index": index, "input": item}
            for index, (item, check) in enumerate(zip(payload.items, answers, strict=True))
        ]
    }
