"""Limits for public forms, counted atomically and shared by every app server.

    APPLY_LIMIT = RateLimit("apply", limit=5, period=3600, message="…")
    if not APPLY_LIMIT.attempt(request):   # takes one of the address's tries, atomically
        ...refuse with APPLY_LIMIT.message...
    APPLY_LIMIT.undo(request)              # the try did not count after all (e.g. a right answer)

attempt() increments first and then compares, so concurrent requests can never all see a count
below the limit: of 120 simultaneous tries against a limit of 10, exactly 10 are allowed.

Where the counts live (RATELIMIT_STORE): "cache" uses cache.add + cache.incr, atomic on Redis,
Memcached and the local-memory cache; "database" uses one row per counter and an F() update,
for sites whose cache is the database cache (its incr() is a read followed by a write). By default
the database is used exactly when the default cache is the database (or file, or dummy) cache.

Fixed windows: the count restarts every `period` seconds.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

__all__ = ["RateLimit", "client_ip", "counter_store"]

NON_ATOMIC_CACHES = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}


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


def counter_store():
    """ "cache" or "database": where the counters are kept (see the module's docstring)."""
    store = getattr(settings, "RATELIMIT_STORE", None)
    if store:
        return store
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "database" if backend in NON_ATOMIC_CACHES else "cache"


class CacheCounters:
    @staticmethod
    def get(key):
        return cache.get(key, 0)

    @staticmethod
    def incr(key, period):
        if cache.add(key, 1, timeout=period + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            return 1

    @staticmethod
    def decr(key):
        try:
            cache.decr(key)
        except ValueError:
            pass

    @staticmethod
    def delete(key):
        cache.delete(key)


class DatabaseCounters:
    @staticmethod
    def _model():
        from .models import RateLimitCounter

        return RateLimitCounter

    @classmethod
    def get(cls, key):
        row = cls._model().objects.filter(key=key, expires_at__gt=timezone.now()).values_list("count", flat=True)
        return row.first() or 0

    @classmethod
    def incr(cls, key, period):
        """UPDATE … SET count = count + 1 holds the row lock until commit, so the count read back is ours."""
        Counter = cls._model()
        now = timezone.now()
        created = False
        with transaction.atomic():
            if not Counter.objects.filter(key=key).update(count=F("count") + 1):
                try:
                    with transaction.atomic():
                        Counter.objects.create(
                            key=key, count=1, expires_at=now + datetime.timedelta(seconds=period + 1)
                        )
                    created = True
                except IntegrityError:  # another request created the row first
                    Counter.objects.filter(key=key).update(count=F("count") + 1)
            count = 1 if created else Counter.objects.filter(key=key).values_list("count", flat=True).get()
        if created:  # a new window: clear out the counters of windows that have ended
            Counter.objects.filter(expires_at__lt=now).delete()
        return count

    @classmethod
    def decr(cls, key):
        cls._model().objects.filter(key=key, count__gt=0).update(count=F("count") - 1)

    @classmethod
    def delete(cls, key):
        cls._model().objects.filter(key=key).delete()


STORES = {"cache": CacheCounters, "database": DatabaseCounters}


class RateLimit:
    def __init__(self, name, *, limit, period, message):
        self.name = name
        self.limit = limit
        self.period = period
        self.message = message

    @property
    def store(self):
        return STORES[counter_store()]

    def _key(self, value):
        window = int(time.time() // self.period)
        digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
        return f"daiban:ratelimit:{self.name}:{window}:{digest}"

    def count(self, value):
        return self.store.get(self._key(value))

    def is_exceeded(self, request=None, *, value=None):
        """Whether the limit is used up (a read only: to decide, use attempt())."""
        return self.count(self._value(request, value)) >= self.limit

    def hit(self, request=None, *, value=None):
        """Count one event; returns the new count (atomic)."""
        return self.store.incr(self._key(self._value(request, value)), self.period)

    def attempt(self, request=None, *, value=None):
        """Take one try: True if it is within the limit. Atomic, so no race lets extra tries through."""
        return self.hit(request, value=value) <= self.limit

    def undo(self, request=None, *, value=None):
        """Give back a try that turned out not to count (a right answer)."""
        self.store.decr(self._key(self._value(request, value)))

    def reset(self, request=None, *, value=None):
        self.store.delete(self._key(self._value(request, value)))

    @staticmethod
    def _value(request, value):
        return value if value is not None else client_ip(request)
