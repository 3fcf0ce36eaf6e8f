"""A small fixed-window rate limit per client address, kept in Redis (or the cache when embedded)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from govportal.audit.services import client_ip
from govportal.redis import redis_client


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """True when this client has made more than ``limit`` requests in the current window."""
    client = client_ip(request) or "unknown"
    key = f"ratelimit:{scope}:{client}:{int(time.time() // window)}"
    connection = redis_client()
    if connection is not None:
        pipe = connection.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 5, nx=True)
        count = int(pipe.execute()[0])
        return count > limit
    if cache.add(key, 1, timeout=window + 5):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        return False
