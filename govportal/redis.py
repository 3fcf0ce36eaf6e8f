"""A shared Redis client for counters and rate limits (atomic INCR/HINCRBY in one round trip).

None in the embedded mode, where callers fall back to the cache or the database.
"""

from __future__ import annotations

import functools

import redis
from django.conf import settings


@functools.cache
def redis_client() -> redis.Redis | None:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
