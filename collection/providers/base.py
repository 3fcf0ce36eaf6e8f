"""What every online payment provider adapter offers. Our state is ours: adapters only report
what the provider says; services decide what changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collection.models import Payment


class ProviderError(Exception):
    """The provider could not be reached or refused the request; safe to retry later."""


class SettlementNotOffered(Exception):
    """The provider has no settlement file to download (staff import the file it sends instead).
    Its message says so in the reader's language."""


class WebhookRejected(Exception):
    """A notification that is not authentic (bad signature, stale timestamp) or not understood."""


@dataclass(frozen=True)
class Checkout:
    redirect_url: str
    provider_ref: str


@dataclass(frozen=True)
class ProviderStatus:
    """The provider's view of one payment. ``state`` is one of our PaymentStatus values among
    pending, succeeded, failed, cancelled and expired (what a provider can say about an attempt)."""

    state: str
    amount: int
    currency: str
    provider_ref: str = ""
    refunded: int = 0
    reason: str = ""
    card_last4: str = ""


@dataclass(frozen=True)
class RefundAnswer:
    """The provider's word on one refund: ``state`` is a RefundStatus value (pending: accepted,
    not yet done; succeeded: the money is on its way back; failed: refused, nothing refunded)."""

    state: str
    provider_ref: str = ""
    reason: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    kind: str
    payment_ref: str
    amount: int | None
    currency: str | None
    payload: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str
    # Whether the provider's webhooks carry the payment_ref or its own id (looked up by provider_ref).
    events_carry_payment_ref: bool

    def create_checkout(self, payment: Payment, *, return_url: str) -> Checkout: ...

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> WebhookEvent: ...

    def fetch_status(self, payment: Payment) -> ProviderStatus: ...

    def cancel(self, payment: Payment) -> ProviderStatus: ...

    # Whether the provider gives back part of a payment (FIB refunds whole payments only).
    partial_refunds: bool

    def refund(self, payment: Payment, *, amount: int, key: str) -> RefundAnswer:
        """Ask for a refund of ``amount``. ``key`` (our refund's id) makes it idempotent: asking again
        with the same key answers about the same refund and never refunds twice. Raises
        ``ProviderError`` when no answer came: the refund may or may not have been made."""
        ...

    def refund_status(self, payment: Payment, *, key: str, provider_ref: str) -> RefundAnswer | None:
        """The state of the refund asked for with ``key``; None when the provider knows of no such
        refund (the request never reached it: asking again with the key is then safe)."""
        ...

    def settlement_file(self, day: dt.date) -> bytes | None:
        """The provider's settlement file of ``day`` (Baghdad time), as it sends it; None when nothing
        was settled that day. Raises ``SettlementNotOffered`` when the provider has no such download,
        ``ProviderError`` when it could not be reached."""
        ...
