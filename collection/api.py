"""Bills through the API: another collecting body's system posts bills by the payer's national ID,
reads them and cancels unpaid ones. A client sees only its own entity's bills (another's: 404).

Registered as ``/api/v1/bills`` from ``CollectionConfig.ready``."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params.functions import Header, Query
from pydantic import AfterValidator

from collection import selectors, services
from collection.constants import ObligationStatus
from collection.models import Obligation
from govportal.accounts.models import mask_national_id
from govportal.api.api import require_scope
from govportal.api.errors import COMMON_ERRORS, ApiError, ErrorOut
from govportal.api.idempotency import HEADER, Answer, idempotent, request_hash
from govportal.api.models import ApiClient
from govportal.api.pagination import cursor_page

router = Router(tags=["bills"])

MAX_AMOUNT = 10**15  # far above any bill, far below what the column holds
# What an agency may post: anything but the Housing Fund's own installments.
Category = Literal["electricity", "transport_fee", "other"]
BillStatus = Literal["open", "partially_paid", "paid", "cancelled", "waived"]


def _printable(value: str) -> str:
    """Words a person reads: no control characters (NUL cannot even be stored) or lone surrogates."""
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("control characters are not allowed")
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
IDEMPOTENCY_KEY_HELP = (
    "A new random value (a UUID) per bill: a retry with the same key and body returns the same bill, never a "
    "second one. Kept 24 hours."
)


class BillIn(Schema):
    national_id: str = Field(pattern=r"^[0-9]{12}$", description="The payer's national ID: 12 digits.")
    purpose: Annotated[str, AfterValidator(_printable)] = Field(
        min_length=1, max_length=200, description="What the bill is for, in your words, as the payer will read it."
    )
    amount: int = Field(gt=0, le=MAX_AMOUNT, description="Integer Iraqi dinars.")
    due_date: dt.date
    reference: str = Field(
        pattern=REFERENCE_PATTERN,
        description="Your own reference of the bill, unique among your entity's bills "
        "(Latin letters, digits, . _ / -).",
    )
    category: Category = Field("other", description="The kind of bill, for the payer's list and reports.")


class BillOut(Schema):
    id: UUID
    reference: str
    national_id: str = Field(description="The payer's national ID, masked as the portal shows it: ••••••••5678.")
    purpose: str
    category: str
    amount: int
    due_date: dt.date
    status: BillStatus
    amount_paid: int
    created_at: dt.datetime
    payer_linked: bool = Field(description="Whether the bill is in a citizen's account yet (else it waits).")


class BillPage(Schema):
    items: list[BillOut]
    next_cursor: str | None


def _national_id(bill: Obligation) -> str:
    if bill.payer_national_id:
        return mask_national_id(bill.payer_national_id)
    profile = getattr(bill.payer, "citizen_profile", None) if bill.payer_id else None
    return profile.masked_national_id if profile is not None else ""


def bill_out(bill: Obligation) -> dict[str, Any]:
    return BillOut(
        id=bill.pk,
        reference=bill.reference,
        national_id=_national_id(bill),
        purpose=bill.title,
        category=bill.purpose,
        amount=bill.amount,
        due_date=bill.due_date,
        status=bill.status,  # type: ignore[arg-type]
        amount_paid=bill.amount_paid,
        created_at=bill.created_at,
        payer_linked=bill.payer_id is not None,
    ).model_dump(mode="json")


def _own_bill(client: ApiClient, pk: UUID) -> Obligation:
    return get_object_or_404(selectors.bills_posted_by(client.entity), pk=pk)


def _audit_data(client: ApiClient) -> dict[str, Any]:
    return {"via": "api", "client": client.client_id}


@router.post(
    "",
    response={201: BillOut, 409: ErrorOut, 422: ErrorOut, **COMMON_ERRORS},
    summary="Post a bill",
    openapi_extra={"responses": {201: {"description": "The bill (also when a retry replays it)."}}},
)
def bill_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: BillIn,
    idempotency_key: Annotated[str | None, Header(None, alias=HEADER, description=IDEMPOTENCY_KEY_HELP)] = None,
) -> Status[dict[str, Any]]:
    """A bill of your entity for the citizen with this national ID. It is in their account at once if
    they have signed in nationally, else it waits for them. 409 `duplicate_reference` if your entity
    used the reference already; 422 `idempotency_mismatch` if the key was used for another body."""
    client = require_scope(request, "bills:write")

    def work() -> Answer:
        try:
            bill = services.bill_post(
                entity=client.entity,
                national_id=payload.national_id,
                purpose=payload.purpose,
                amount=payload.amount,
                due_date=payload.due_date,
                reference=payload.reference,
                category=payload.category,
                client=client,
                audit_data=_audit_data(client),
                request=request,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict") and any(
                item.code == "duplicate_reference" for item in error.error_list
            ):
                raise ApiError(409, "duplicate_reference", error.messages[0]) from error
            raise
        return Answer(201, bill_out(bill))

    if idempotency_key is None:
        answer = work()
    else:
        fingerprint = request_hash("POST", "bills", payload.model_dump(mode="json"))
        answer = idempotent(client=client, key=idempotency_key, fingerprint=fingerprint, work=work)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
    return Status(answer.status, answer.body)


@router.get("", response={200: BillPage, **COMMON_ERRORS}, summary="List bills")
def bill_list(
    request: HttpRequest,
    reference: Annotated[str | None, Query(None, pattern=REFERENCE_PATTERN, description="Only this reference.")] = None,
    status: Annotated[BillStatus | None, Query(None, description="Only bills in this state.")] = None,
    cursor: Annotated[str | None, Query(None, max_length=200, description="The last page's `next_cursor`.")] = None,
    limit: Annotated[int, Query(50, ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Your entity's bills, newest first, a page at a time."""
    client = require_scope(request, "bills:read")
    bills = selectors.bills_posted_by(client.entity)
    if reference is not None:
        bills = bills.filter(reference=reference)
    if status is not None:
        bills = bills.filter(status=status)
    page = cursor_page(bills, cursor=cursor, limit=limit)
    return {"items": [bill_out(bill) for bill in page["items"]], "next_cursor": page["next_cursor"]}


@router.get("/{bill_id}", response={200: BillOut, 404: ErrorOut, **COMMON_ERRORS}, summary="Read a bill")
def bill_detail(request: HttpRequest, bill_id: UUID) -> dict[str, Any]:
    """One of your entity's bills, with what was paid on it."""
    client = require_scope(request, "bills:read")
    return bill_out(_own_bill(client, bill_id))


@router.post(
    "/{bill_id}/cancel",
    response={200: BillOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="Cancel an unpaid bill",
)
def bill_cancel(request: HttpRequest, bill_id: UUID) -> dict[str, Any]:
    """Cancels a bill nothing was paid on and no payment is under way for (cancelling it again answers
    the cancelled bill). A paid or partly paid bill: 409 `not_cancellable`."""
    client = require_scope(request, "bills:write")
    bill = _own_bill(client, bill_id)
    if bill.status == ObligationStatus.CANCELLED:
        return bill_out(bill)
    try:
        bill = services.obligation_cancel_unpaid(
            obligation=bill, audit_data={"reason": "cancelled_by_agency", **_audit_data(client)}, request=request
        )
    except ValidationError as error:
        raise ApiError(
            409,
            "not_cancellable",
            _("Only an unpaid bill with no payment under way can be cancelled."),
        ) from error
    return bill_out(_own_bill(client, bill.pk))
