"""The people and bills payment tests share: a collecting entity, its staff, a citizen."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from collection.providers.sandbox import CARD_SUCCEEDS, charge_pay, signature_header
from govportal.accounts.constants import Role
from tests.collection.outlets_world import outlet_at_work
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory, bill

SECRET = "test-sandbox-secret-0123456789"


@pytest.fixture
def world(db: Any, settings: Any) -> dict[str, Any]:
    settings.PAYMENT_SANDBOX_SECRET = SECRET
    settings.PAYMENT_SANDBOX_DUPLICATE_PERCENT = 0
    settings.PAYMENT_SANDBOX_MAX_DELAY = 0
    settings.PAYMENT_PROVIDER = "sandbox"
    fund, other = EntityFactory(code="IHF"), EntityFactory(code="ELEC")
    citizen = CitizenProfileFactory(national_id="199012345678").user
    cashier = MembershipFactory(entity=fund, role=Role.OUTLET_CASHIER).user
    return {
        "fund": fund,
        "other": other,
        "citizen": citizen,
        "officer": MembershipFactory(entity=fund, role=Role.FUND_OFFICER).user,
        "cashier": cashier,
        "other_officer": MembershipFactory(entity=other, role=Role.FUND_OFFICER).user,
        # Open, with terminal T-0042 and the cashier assigned.
        "outlet": outlet_at_work(fund, cashiers=[cashier], code="IHF-01", name_ar="منفذ", name_en="Outlet"),
        "bills": [bill(citizen, fund, 100_000, days=d) for d in (5, 35)],
    }


def post_event(client: Client, body: dict[str, Any], *, secret: str = SECRET, timestamp: int | None = None) -> Any:
    raw = json.dumps(body).encode()
    return client.post(
        "/collection/webhooks/sandbox/",
        data=raw,
        content_type="application/json",
        headers={"X-Signature": signature_header(raw, secret=secret, timestamp=timestamp)},
    )


def event(payment_ref: str, amount: int, kind: str = "payment.succeeded", event_id: str = "evt_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": kind,
        "created": int(time.time()),
        "data": {"payment_ref": payment_ref, "amount": amount, "currency": "IQD"},
    }


def paid(world: dict[str, Any], bills: list[Any] | None = None, card: str = CARD_SUCCEEDS) -> Any:
    """The citizen pays ``bills`` (both of the world's, unless told) online with ``card``."""
    from collection import services

    bills = bills if bills is not None else world["bills"]
    payment = services.payment_start(
        payer=world["citizen"], lines=[services.Line(obligation=b, amount=b.remaining) for b in bills]
    )
    charge_pay(charge_id=payment.provider_ref, card_number=card)
    return services.payment_sync(payment=payment)
