"""Per-address limits for public forms, kept in the cache (shared by every app server in production).

    APPLY_LIMIT = RateLimit("apply", limit=5, period=3600)
    if APPLY_LIMIT.is_exceeded(request): ...refuse with APPLY_LIMIT.message...
    APPLY_LIMIT.hit(request)  # after a counted event (a stored request, a failed lookup)

Fixed windows: the count restarts every `period` seconds.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

__all__ = ["RateLimit", "client_ip"]


def client_ip(request):
    """The client's address.

    Behind a trusted proxy (RATELIMIT_TRUST_FORWARDED) it is the last X-Forwarded-For entry: the one
    the proxy itself added. Earlier entries come from the client and could be forged.
    """
    if getattr(settings, "RATELIMIT_TRUST_FORWARDED", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class RateLimit:
    def __init__(self, name, *, limit, period, message):
        self.name = name
        self.limit = limit
        self.period = period
        self.message = message

    def _key(self, value):
        window = int(time.time() // self.period)
        digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
        return f"daiban:ratelimit:{self.name}:{window}:{digest}"

    def count(self, value):
        return cache.get(self._key(value), 0)

    def is_exceeded(self, request=None, *, value=None):
        return self.count(self._value(request, value)) >= self.limit

    def hit(self, request=None, *, value=None):
        """Count one event; returns the new count."""
        key = self._key(self._value(request, value))
        if cache.add(key, 1, timeout=self.period + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.period + 1)
            return 1

    def reset(self, request=None, *, value=None):
        cache.delete(self._key(self._value(request, value)))

    @staticmethod
    def _value(request, value):
        return value if value is not None else client_ip(request)
