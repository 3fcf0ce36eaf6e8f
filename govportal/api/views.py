"""The API's own endpoint (who am I) and its token endpoint."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from govportal.api.errors import ErrorOut
from govportal.api.models import ApiClient

router = Router(tags=["clients"])


class ClientOut(Schema):
    client_id: str
    name: str
    entity: str
    scopes: list[str]


@router.get("/client", response={200: ClientOut, 401: ErrorOut, 429: ErrorOut}, summary="The calling client")
def client_me(request: HttpRequest) -> dict[str, object]:
    """Who the token belongs to: the client, its entity's code and its scopes."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    return {"client_id": client.client_id, "name": client.name, "entity": client.entity.code, "scopes": client.scopes}
