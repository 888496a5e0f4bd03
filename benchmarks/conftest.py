"""Benchmarks: run with `make bench`. They print timings, query counts and memory; they do not gate CI."""

import time
import tracemalloc
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

RESULTS = []
# (path, size, project s, floor s, queries, peak MiB, growth) rows of test_bench_scale.
SCALE = []
# The same for the public catalogue (test_bench_catalogue_scale), by number of matters.
CATALOGUE = []
# (title, [plan lines]) of EXPLAIN ANALYZE, printed after the tables.
PLANS = []


@contextmanager
def timed(name):
    """Wall time and SQL queries of the block."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        yield
    RESULTS.append((name, f"{time.perf_counter() - started:.3f}", len(queries), ""))


@contextmanager
def traced(name):
    """Peak Python memory of the block (tracemalloc slows it down, so no time is reported)."""
    tracemalloc.start()
    try:
        yield
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    RESULTS.append((name, "", "", f"{peak / 2**20:.1f}"))


@pytest.fixture
def bench():
    return timed


@pytest.fixture
def bench_memory():
    return traced


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        _results_table(terminalreporter)
    _scale_table(terminalreporter, SCALE, "city scale", "cases")
    _scale_table(terminalreporter, CATALOGUE, "catalogue scale", "matters")
    for title, plan in PLANS:
        terminalreporter.section(f"plan: {title}")
        for line in plan:
            terminalreporter.write_line(line)


def _results_table(terminalreporter):
    terminalreporter.section(f"benchmarks ({connection.vendor})")
    terminalreporter.write_line(f"{'what':<56} {'seconds':>8} {'queries':>8} {'peak MiB':>9}")
    for name, seconds, queries, peak in RESULTS:
        terminalreporter.write_line(f"{name:<56} {seconds:>8} {queries!s:>8} {peak:>9}")


def _scale_table(terminalreporter, rows, title, unit):
    if not rows:
        return
    terminalreporter.section(f"{title} ({connection.vendor})")
    terminalreporter.write_line(f"| hot path | {unit} | project s | floor s | ratio | queries | peak MiB | growth |")
    terminalreporter.write_line("|---|---|---|---|---|---|---|---|")
    for path, size, project, floor, queries, peak, growth in rows:
        ratio = project / floor if floor else float("inf")
        terminalreporter.write_line(
            f"| {path} | {size} | {project:.4f} | {floor:.4f} | {ratio:.1f}× | {queries} | {peak:.1f} | {growth} |"
        )


def queries_and_peak(fn):
    """How many queries one call of fn makes, and the peak of Python memory (MiB) in a second call."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(queries), peak / 2**20


@pytest.fixture
def database_cache(settings):
    """The production default without Redis (the database cache), and the benchmarks' floors in the URLs."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
    }
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("createcachetable", verbosity=0)
    cache.clear()
