import threading

import pytest
from django.test import RequestFactory, override_settings

from daiban.ratelimit import RateLimit, client_ip, counter_store


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/apply/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_ip(request_from("10.0.0.9", "1.2.3.4")) == "10.0.0.9"


@override_settings(RATELIMIT_TRUST_FORWARDED=True)
def test_behind_the_proxy_the_address_it_added_counts_not_a_forged_one():
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
    assert client_ip(request_from("10.0.0.9", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.9")) == "10.0.0.9"


@pytest.mark.parametrize("store", ["cache", "database"])
@pytest.mark.django_db
def test_attempts_within_the_limit_pass_and_undo_gives_one_back(store):
    with override_settings(RATELIMIT_STORE=store):
        limit = RateLimit("unit", limit=2, period=60, message="")
        assert limit.attempt(value="a") and limit.attempt(value="a")
        assert not limit.attempt(value="a")
        assert limit.is_exceeded(value="a")
        assert not limit.is_exceeded(value="b")
        limit.undo(value="a")
        limit.undo(value="a")
        assert limit.attempt(value="a")
        limit.reset(value="a")
        assert limit.count("a") == 0


def test_the_database_cache_gets_database_counters_others_the_cache():
    database_cache = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    with override_settings(CACHES=database_cache, RATELIMIT_STORE=None):
        assert counter_store() == "database"
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    with override_settings(CACHES=redis, RATELIMIT_STORE=None):
        assert counter_store() == "cache"


def test_threads_on_the_local_cache_let_exactly_the_limit_through(monkeypatch):
    # One fixed window for the whole run: a loaded machine may otherwise cross a minute boundary.
    monkeypatch.setattr("daiban.ratelimit.time.time", lambda: 1_800_000_000.0)
    limit = RateLimit("threads", limit=10, period=60, message="")
    results = []
    threads = [threading.Thread(target=lambda: results.append(limit.attempt(value="x"))) for _ in range(120)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10
