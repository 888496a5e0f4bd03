"""Benchmarks: run with `make bench`. They print timings and query counts; they do not gate CI."""

import time
import tracemalloc
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

RESULTS = []


@contextmanager
def measure(name):
    """Wall time, SQL queries and peak Python memory of the block."""
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        yield
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    RESULTS.append((name, elapsed, len(queries), peak / 2**20))


@pytest.fixture
def bench():
    return measure


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section(f"benchmarks ({connection.vendor})")
    terminalreporter.write_line(f"{'what':<52} {'seconds':>9} {'queries':>8} {'peak MiB':>9}")
    for name, elapsed, queries, peak in RESULTS:
        terminalreporter.write_line(f"{name:<52} {elapsed:>9.3f} {queries:>8} {peak:>9.1f}")
