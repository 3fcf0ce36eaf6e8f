"""A stand-in for First Iraqi Bank's web-payment API on a real local socket, kept in memory.

It issues expiring bearer tokens for one client, creates payments, answers status, cancel and refund,
lets a test play the payer (``pay``, ``decline``) and the bank finishing a refund (``refund_done``)
or refusing refunds (``refuse_refunds``), and posts FIB's status callback where asked.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import segno

CLIENT_ID = "govportal-test"
CLIENT_SECRET = "stub-secret-0123456789"
TOKEN_PATH = "/auth/realms/fib-online-shop/protocol/openid-connect/token"
PAYMENTS_PATH = "/protected/v1/payments"


@dataclass
class StubPayment:
    id: str
    amount: Any
    currency: str
    callback_url: str
    body: dict[str, Any]
    readable_code: str
    status: str = "UNPAID"
    declining_reason: str | None = None
    paid_at: str | None = None


@dataclass
class FibStub:
    """The bank's side. ``calls`` lists every request as (method, path) in order."""

    token_lifetime: int = 300
    failing: int | None = None  # answer every API call with this status (e.g. 503)
    refuse_refunds: bool = False  # refund requests get 400 (the refund window is over, say)
    tokens: dict[str, float] = field(default_factory=dict)
    payments: dict[str, StubPayment] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what a test does --------------------------------------------------------------

    @property
    def token_requests(self) -> int:
        return sum(1 for _method, path in self.calls if path == TOKEN_PATH)

    def revoke_tokens(self) -> None:
        """Tokens stop working before the client expects it (the bank restarted, keys rotated)."""
        with self.lock:
            self.tokens.clear()

    def pay(self, payment_id: str) -> None:
        with self.lock:
            payment = self.payments[payment_id]
            payment.status, payment.paid_at = "PAID", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def decline(self, payment_id: str, reason: str = "SERVER_FAILURE") -> None:
        with self.lock:
            payment = self.payments[payment_id]
            payment.status, payment.declining_reason = "DECLINED", reason

    def refund_done(self, payment_id: str) -> None:
        """The bank finishes a requested refund."""
        with self.lock:
            payment = self.payments[payment_id]
            assert payment.status == "REFUND_REQUESTED"  # noqa: S101 — a test helper
            payment.status = "REFUNDED"

    def callback_body(self, payment_id: str, status: str | None = None) -> bytes:
        """FIB's callback for ``payment_id``: its current status unless ``status`` is given."""
        return json.dumps({"id": payment_id, "status": status or self.payments[payment_id].status}).encode()

    def callback_post(self, payment_id: str, url: str | None = None) -> httpx.Response:
        """Post the callback as FIB does: to the payment's statusCallbackUrl unless ``url`` is given."""
        target = url or self.payments[payment_id].callback_url
        return httpx.post(
            target, content=self.callback_body(payment_id), headers={"Content-Type": "application/json"}, timeout=10
        )

    # --- the bank's API ----------------------------------------------------------------

    def handle(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any] | None]:
        with self.lock:
            self.calls.append((method, path))
            if method == "POST" and path == TOKEN_PATH:
                return self._token(raw)
            if self.failing:
                return self.failing, {"errors": [{"code": "SERVICE_UNAVAILABLE"}], "traceId": "stub"}
            if not self._authorised(headers.get("Authorization", "")):
                return 401, {"error": "invalid_token"}
            body = json.loads(raw) if raw else {}
            if method == "POST" and path == PAYMENTS_PATH:
                return self._create(body)
            parts = path.removeprefix(PAYMENTS_PATH + "/").split("/")
            if len(parts) != 2 or not path.startswith(PAYMENTS_PATH + "/"):
                return 404, {"errors": [{"code": "NOT_FOUND"}]}
            payment = self.payments.get(parts[0])
            if payment is None:
                return 404, {"errors": [{"code": "PAYMENT_NOT_FOUND"}], "traceId": "stub"}
            action = (method, parts[1])
            if action == ("GET", "status"):
                return 200, self._status(payment)
            if action == ("POST", "cancel"):
                if payment.status != "UNPAID":
                    return 400, {"errors": [{"code": "PAYMENT_NOT_CANCELLABLE"}], "traceId": "stub"}
                payment.status, payment.declining_reason = "DECLINED", "PAYMENT_CANCELLATION"
                return 204, None
            if action == ("POST", "refund"):
                if self.refuse_refunds:
                    return 400, {"errors": [{"code": "REFUND_PERIOD_EXPIRED"}], "traceId": "stub"}
                if payment.status != "PAID":
                    return 400, {"errors": [{"code": "PAYMENT_NOT_REFUNDABLE"}], "traceId": "stub"}
                payment.status = "REFUND_REQUESTED"
                return 202, None
            return 404, {"errors": [{"code": "NOT_FOUND"}]}

    def _token(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        if form.get("grant_type") != "client_credentials" or (form.get("client_id"), form.get("client_secret")) != (
            CLIENT_ID,
            CLIENT_SECRET,
        ):
            return 401, {"error": "invalid_client", "error_description": "Invalid client credentials"}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return 200, {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def _authorised(self, header: str) -> bool:
        scheme, _sep, token = header.partition(" ")
        expires = self.tokens.get(token) if scheme == "Bearer" else None
        return expires is not None and expires > time.monotonic()

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        money = body.get("monetaryValue") or {}
        amount = money.get("amount")
        valid = (
            isinstance(amount, int | str)
            and int(amount) > 0
            and money.get("currency") == "IQD"
            and str(body.get("statusCallbackUrl", "")).startswith("http")
        )
        if not valid:
            return 400, {"errors": [{"code": "INVALID_PAYMENT"}], "traceId": "stub"}
        payment_id = str(uuid.uuid4())
        code = "-".join(secrets.token_hex(2).upper() for _i in range(3))
        self.payments[payment_id] = StubPayment(
            id=payment_id,
            amount=amount,
            currency="IQD",
            callback_url=body["statusCallbackUrl"],
            body=body,
            readable_code=code,
        )
        valid_until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1800))
        return 201, {
            "paymentId": payment_id,
            "readableCode": code,
            "qrCode": segno.make(f"https://personal.stub.fib.iq/pay/{payment_id}").png_data_uri(scale=4),
            "validUntil": valid_until,
            "personalAppLink": f"https://personal.stub.fib.iq/pay/{payment_id}",
            "businessAppLink": f"https://business.stub.fib.iq/pay/{payment_id}",
            "corporateAppLink": f"https://corporate.stub.fib.iq/pay/{payment_id}",
        }

    def _status(self, payment: StubPayment) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "paymentId": payment.id,
            "status": payment.status,
            "amount": {"amount": payment.amount, "currency": payment.currency},
            "paidAt": payment.paid_at,
            "decliningReason": payment.declining_reason,
            "declinedAt": None,
            "paidBy": {"name": "Stub Payer", "iban": "IQ98FIQB004085190110001"} if payment.paid_at else None,
        }
        return answer


def _handler(stub: FibStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = stub.handle(self.command, self.path, self.headers, raw)
            content = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture(name="fib_stub")
def fib_stub_fixture(settings: Any) -> Iterator[FibStub]:
    """A running stub bank; the settings point the FIB adapter at it and make FIB the provider."""
    stub = FibStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.FIB_BASE_URL = stub.url
    settings.FIB_CLIENT_ID = CLIENT_ID
    settings.FIB_CLIENT_SECRET = CLIENT_SECRET
    settings.FIB_TIMEOUT = 2
    settings.PAYMENT_PROVIDER = "fib"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
