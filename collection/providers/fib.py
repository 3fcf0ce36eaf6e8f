"""First Iraqi Bank (FIB) web payments: the payer pays in the FIB app, by QR code or app link.

API (OAuth2 client credentials, then bearer calls under ``/protected/v1``):

* token: ``POST {base}/auth/realms/fib-online-shop/protocol/openid-connect/token`` (form
  ``grant_type=client_credentials``, ``client_id``, ``client_secret``) → ``access_token``, ``expires_in``;
* create: ``POST /protected/v1/payments`` → ``paymentId``, ``readableCode``, ``qrCode`` (a data URI),
  ``validUntil``, ``personalAppLink``, ``businessAppLink``, ``corporateAppLink``;
* status: ``GET /protected/v1/payments/{id}/status`` → ``status`` (PAID, UNPAID, DECLINED, REFUND_REQUESTED,
  REFUNDED), ``amount`` {amount, currency}, ``decliningReason``, ``paidAt``, ``paidBy``;
* cancel: ``POST /protected/v1/payments/{id}/cancel`` (204); refund: ``POST …/{id}/refund`` (202), whole
  payments only, once (the status then reads REFUND_REQUESTED, and REFUNDED when done);
* callback: FIB posts ``{"id": "<paymentId>", "status": "<status>"}`` to ``statusCallbackUrl``, unsigned.

The callback carries FIB's own ``paymentId`` (our ``Payment.provider_ref``). Being unsigned, it is only
a hint: the services confirm every event with ``fetch_status`` before changing anything.

How FIB statuses map to ours: PAID → succeeded; UNPAID → pending; DECLINED → cancelled when FIB says
the payment was cancelled (PAYMENT_CANCELLATION), expired when it ran out of time (PAYMENT_EXPIRATION),
failed otherwise (SERVER_FAILURE or anything new). REFUND_REQUESTED and REFUNDED are payments that
succeeded and were refunded in full.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.constants import CURRENCY, PAYMENT_EXPIRY_MINUTES, PaymentStatus, Provider, RefundStatus
from collection.providers.base import (
    Checkout,
    ProviderError,
    ProviderStatus,
    RefundAnswer,
    SettlementNotOffered,
    WebhookEvent,
    WebhookRejected,
)

if TYPE_CHECKING:
    from collection.models import Payment

logger = logging.getLogger(__name__)

TOKEN_PATH = "/auth/realms/fib-online-shop/protocol/openid-connect/token"  # noqa: S105 - a path, not a secret
PAYMENTS_PATH = "/protected/v1/payments"
# How long after payment FIB lets us refund; a later refund is done another way.
REFUNDABLE_FOR = "P7D"
# FIB truncates or refuses long descriptions; ours is the payment reference and the entity.
DESCRIPTION_LENGTH = 50
# A token is dropped from the cache this many seconds before FIB says it expires.
TOKEN_MARGIN = 30
STATUSES = ("PAID", "UNPAID", "DECLINED", "REFUND_REQUESTED", "REFUNDED")
_REFUNDED = ("REFUND_REQUESTED", "REFUNDED")
_DECLINED_AS = {"PAYMENT_CANCELLATION": PaymentStatus.CANCELLED, "PAYMENT_EXPIRATION": PaymentStatus.EXPIRED}
# The callback's status, as the kind of our stored event (the services read the suffix).
_EVENT_KINDS = {
    "PAID": "payment.succeeded",
    "UNPAID": "payment.pending",
    "DECLINED": "payment.declined",
    "REFUND_REQUESTED": "payment.refunded",
    "REFUNDED": "payment.refunded",
}
_PAYMENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


class _Refused(ProviderError):
    """FIB answered the request with a client error (4xx): asking again will not help."""


@dataclass(frozen=True)
class FibCheckout:
    """What the payer needs to pay in the FIB app; kept in the cache until the payment expires."""

    payment_id: str
    readable_code: str
    qr_code: str
    valid_until: dt.datetime | None
    personal_app_link: str
    business_app_link: str
    corporate_app_link: str


def _checkout_key(payment_pk: object) -> str:
    return f"collection:fib:checkout:{payment_pk}"


def checkout_details(payment: Payment) -> FibCheckout | None:
    """The QR code, readable code and app links of ``payment``; None once they are gone."""
    found = cache.get(_checkout_key(payment.pk))
    return found if isinstance(found, FibCheckout) and found.payment_id == payment.provider_ref else None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _link(data: dict[str, Any], key: str) -> str:
    """An app link we are willing to put in an ``href``: https only."""
    value = _text(data, key)
    return value if value.startswith("https://") else ""


def _datetime(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, dt.UTC)


def _dinars(value: object) -> int | None:
    """A whole number of dinars from FIB's amount (a number or a string); None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(amount) if amount.is_finite() and amount == amount.to_integral_value() else None


def _error_message(response: httpx.Response) -> str:
    """FIB's own words for a refusal: error codes and trace id, or the OAuth error."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    parts: list[str] = []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            for error in errors:
                if isinstance(error, dict):
                    parts.append(str(error.get("code") or error.get("title") or error.get("detail") or ""))
        for key in ("error", "error_description", "message", "title"):
            if isinstance(body.get(key), str):
                parts.append(body[key])
        if isinstance(body.get("traceId"), str):
            parts.append(f"trace {body['traceId']}")
    detail = "; ".join(part for part in parts if part)
    return f"HTTP {response.status_code}: {detail}"[:200] if detail else f"HTTP {response.status_code}"


class FibProvider:
    name = "fib"
    events_carry_payment_ref = False
    partial_refunds = False

    def __init__(self) -> None:
        self.base_url = settings.FIB_BASE_URL.rstrip("/")
        self.client_id = settings.FIB_CLIENT_ID
        self.client_secret = settings.FIB_CLIENT_SECRET
        self.timeout = settings.FIB_TIMEOUT

    # --- HTTP ------------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        account = hashlib.sha256(f"{self.base_url}|{self.client_id}".encode()).hexdigest()[:16]
        return f"collection:fib:token:{account}"

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            with httpx.Client(base_url=self.base_url, timeout=self.timeout) as client:
                response = client.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise ProviderError(f"First Iraqi Bank did not answer within {self.timeout} s") from error
        except httpx.HTTPError as error:
            raise ProviderError(f"First Iraqi Bank cannot be reached: {error}") from error
        if response.status_code >= 500:
            raise ProviderError(f"First Iraqi Bank is failing: {_error_message(response)}")
        return response

    def _token(self, *, fresh: bool = False) -> str:
        """The cached access token, or a new one (client credentials) cached until shortly before expiry."""
        if not fresh:
            token = cache.get(self._token_key)
            if isinstance(token, str) and token:
                return token
        if not (self.client_id and self.client_secret):
            raise ProviderError("FIB_CLIENT_ID and FIB_CLIENT_SECRET are not set")
        response = self._send(
            "POST",
            TOKEN_PATH,
            data={"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret},
        )
        if response.status_code != 200:
            raise _Refused(f"First Iraqi Bank refused our credentials: {_error_message(response)}")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), int(body.get("expires_in") or 60)
        except (ValueError, KeyError, TypeError) as error:
            raise ProviderError("First Iraqi Bank sent a token answer we do not understand") from error
        timeout = lifetime - min(TOKEN_MARGIN, lifetime // 5)
        if timeout > 0:
            cache.set(self._token_key, token, timeout)
        return token

    def _call(self, method: str, path: str, *, body: dict[str, Any] | None = None) -> httpx.Response:
        """An authenticated API call; a 401 (token revoked or expired early) gets one fresh token."""
        for fresh in (False, True):
            headers = {"Authorization": f"Bearer {self._token(fresh=fresh)}", "Accept": "application/json"}
            response = self._send(method, path, json=body, headers=headers)
            if response.status_code != 401:
                break
            cache.delete(self._token_key)
        if response.status_code == 401:
            raise ProviderError("First Iraqi Bank rejected a fresh access token")
        if response.status_code >= 400:
            raise _Refused(f"First Iraqi Bank refused the request: {_error_message(response)}")
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as error:
            raise ProviderError("First Iraqi Bank sent an answer that is not JSON") from error
        if not isinstance(body, dict):
            raise ProviderError("First Iraqi Bank sent an answer we do not understand")
        return body

    def _payment_path(self, payment: Payment, action: str) -> str:
        if not payment.provider_ref:
            raise ProviderError(f"{payment.payment_ref} was never created at First Iraqi Bank")
        return f"{PAYMENTS_PATH}/{payment.provider_ref}/{action}"

    # --- The adapter -----------------------------------------------------------------------

    def create_checkout(self, payment: Payment, *, return_url: str) -> Checkout:
        """Create the payment at FIB and keep its QR code for our checkout page (FIB hosts none)."""
        origin = urlsplit(return_url)
        callback = f"{origin.scheme}://{origin.netloc}{reverse('collection:webhook', args=[Provider.FIB])}"
        body = {
            "monetaryValue": {"amount": payment.amount, "currency": CURRENCY},
            "statusCallbackUrl": callback,
            "redirectUri": return_url,
            "description": f"{payment.payment_ref} {payment.collecting_entity.name_ar}"[:DESCRIPTION_LENGTH],
            "expiresIn": f"PT{PAYMENT_EXPIRY_MINUTES}M",
            "refundableFor": REFUNDABLE_FOR,
        }
        data = self._json(self._call("POST", PAYMENTS_PATH, body=body))
        payment_id = _text(data, "paymentId")
        if not _PAYMENT_ID.fullmatch(payment_id):
            raise ProviderError("First Iraqi Bank created a payment without a usable paymentId")
        qr_code = _text(data, "qrCode")
        details = FibCheckout(
            payment_id=payment_id,
            readable_code=_text(data, "readableCode")[:40],
            qr_code=qr_code if qr_code.startswith("data:image/") else "",
            valid_until=_datetime(_text(data, "validUntil")),
            personal_app_link=_link(data, "personalAppLink"),
            business_app_link=_link(data, "businessAppLink"),
            corporate_app_link=_link(data, "corporateAppLink"),
        )
        lifetime = PAYMENT_EXPIRY_MINUTES * 60
        if details.valid_until is not None:
            lifetime = int((details.valid_until - timezone.now()).total_seconds())
        cache.set(_checkout_key(payment.pk), details, min(max(lifetime, 0), 86400) + 300)
        return Checkout(redirect_url=reverse("collection:fib_checkout", args=[payment.pk]), provider_ref=payment_id)

    def parse_webhook(self, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Accept only FIB's callback shape; the event id is the payment id and status, so that a
        repeated callback is the same event. Other keys, if FIB adds any, are not kept."""
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise WebhookRejected("body is not JSON") from error
        if not isinstance(payload, dict):
            raise WebhookRejected("body is not a FIB status callback")
        payment_id, status = payload.get("id"), payload.get("status")
        if not isinstance(payment_id, str) or not _PAYMENT_ID.fullmatch(payment_id):
            raise WebhookRejected("callback without a payment id")
        if status not in _EVENT_KINDS:
            raise WebhookRejected("callback with an unknown status")
        return WebhookEvent(
            event_id=f"{payment_id}:{status}",
            kind=_EVENT_KINDS[status],
            payment_ref=payment_id,
            amount=None,
            currency=None,
            payload={"id": payment_id, "status": status},
        )

    def fetch_status(self, payment: Payment) -> ProviderStatus:
        data = self._json(self._call("GET", self._payment_path(payment, "status")))
        status = data.get("status")
        if status not in STATUSES:
            raise ProviderError(f"First Iraqi Bank reports a status we do not know: {status!r}")
        money = data.get("amount")
        money = money if isinstance(money, dict) else {}
        amount, currency = _dinars(money.get("amount")), _text(money, "currency")
        if amount is None and status == "PAID":
            amount, currency = 0, currency or "?"  # a success without its amount goes to staff, not to the bills
        elif amount is None:
            amount, currency = payment.amount, currency or CURRENCY
        reason = _text(data, "decliningReason")
        if status in ("PAID", *_REFUNDED):
            state = PaymentStatus.SUCCEEDED
        elif status == "UNPAID":
            state = PaymentStatus.PENDING
        else:
            state = _DECLINED_AS.get(reason.upper(), PaymentStatus.FAILED)
        return ProviderStatus(
            state=state,
            amount=amount,
            currency=currency,
            provider_ref=payment.provider_ref,
            refunded=amount if status in _REFUNDED else 0,
            reason=reason.lower()[:100] if status == "DECLINED" else "",
        )

    def cancel(self, payment: Payment) -> ProviderStatus:
        """Cancel at FIB and report what FIB then says. A refused cancel (already paid or declined)
        reports the payment's status instead, so that a payment that went through still counts."""
        try:
            self._call("POST", self._payment_path(payment, "cancel"))
        except _Refused as error:
            reported = self.fetch_status(payment)
            if reported.state == PaymentStatus.PENDING:
                raise ProviderError(str(error)) from error
            return reported
        reported = self.fetch_status(payment)
        if reported.state == PaymentStatus.PENDING:  # accepted; FIB's status may not show it yet
            return dataclasses.replace(reported, state=PaymentStatus.CANCELLED, reason="payment_cancellation")
        return reported

    def refund(self, payment: Payment, *, amount: int, key: str) -> RefundAnswer:
        """FIB refunds a whole payment or nothing, once, with no idempotency key of its own: the
        payment's status is the refund's (REFUND_REQUESTED, then REFUNDED). So a refused request is
        ours already made when the status shows a refund, and refused otherwise."""
        if payment.refunded_amount or amount != payment.amount:
            return RefundAnswer(
                state=RefundStatus.FAILED,
                reason=_(
                    "First Iraqi Bank refunds only whole payments: refund all %(amount)s dinars, "
                    "or pay back part of it another way."
                )
                % {"amount": f"{payment.amount:,}"},
            )
        try:
            self._call("POST", self._payment_path(payment, "refund"))
        except _Refused as error:
            known = self.refund_status(payment, key=key, provider_ref=payment.provider_ref)
            return known or RefundAnswer(state=RefundStatus.FAILED, reason=str(error)[:200])
        logger.info("refund of %s requested at First Iraqi Bank", payment.payment_ref)
        return RefundAnswer(state=RefundStatus.PENDING, provider_ref=payment.provider_ref)  # 202: accepted

    def refund_status(self, payment: Payment, *, key: str, provider_ref: str) -> RefundAnswer | None:
        """REFUND_REQUESTED: pending; REFUNDED: done; any other status: FIB knows of no refund."""
        status = self._json(self._call("GET", self._payment_path(payment, "status"))).get("status")
        if status == "REFUNDED":
            return RefundAnswer(state=RefundStatus.SUCCEEDED, provider_ref=payment.provider_ref)
        if status == "REFUND_REQUESTED":
            return RefundAnswer(state=RefundStatus.PENDING, provider_ref=payment.provider_ref)
        return None

    def settlement_file(self, day: dt.date) -> bytes | None:
        """FIB's web-payment API has no settlement report to download: its statements reach the
        merchant another way, and staff import them on the settlements page."""
        raise SettlementNotOffered(
            _("%(provider)s offers no settlement file to download. Import the file it sends you instead.")
            % {"provider": Provider.FIB.label}
        )
