"""The signature on a webhook: ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.

SandPay signs the events it sends us this way, and we sign the notifications we send to API
clients the same way, with these functions: a receiver written for one checks the other.
Several ``v1=`` values may be present (a sender rotating its secret signs with both); one must match.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature_digest(body: bytes, *, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``: what ``v1`` carries."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex>`` for ``body`` (signed now unless ``timestamp`` is given)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature_digest(body, secret=secret, timestamp=t)}"


def signature_problem(body: bytes, header: str, *, secret: str, tolerance: int, now: float | None = None) -> str:
    """Why ``header`` does not sign ``body`` with ``secret`` within ``tolerance`` seconds ("" if it does)."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return "missing or malformed signature timestamp"
    expected = signature_digest(body, secret=secret, timestamp=timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", [])):
        return "signature does not match"
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return "timestamp outside the tolerance"
    return ""
