"""A small fixed-window rate limit per client address, kept in the shared cache."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from govportal.audit.services import client_ip


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """True when this client has made more than ``limit`` requests in the current window."""
    client = client_ip(request) or "unknown"
    key = f"ratelimit:{scope}:{client}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return False
    return count > limit
