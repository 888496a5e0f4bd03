"""/apply/ throughput under gunicorn + PostgreSQL at 20 connections, beside a bare view inserting one row.

Both run in one gunicorn (benchmarks/settings.py: production settings plus the floor's URL) on
127.0.0.1, 4 workers × 5 threads, against this test's PostgreSQL database. Twenty client threads
post a bounded number of requests each (BENCH_APPLY_REQUESTS in all, 400 by default), each request
from its own address (X-Forwarded-For with RATELIMIT_TRUST_FORWARDED=1: the limits stay on, as for
a city's citizens, and are never reached). The project's request is a valid application (the form,
materials, the case, its number, history, the applicant's SMS and mail and the window's mail queued
as jobs, the session); the floor's is one INSERT behind the same middleware.

Then the case numbers are checked: every request (the warm-up's too) got a case, numbered
consecutively from 0001 for the day, none twice (taken at the end of the transaction: services/numbering.py).

Goal (issue 16): the project's throughput ≥ 50% of the floor's. PostgreSQL only (DATABASE_URL).
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from benchmarks.conftest import SCALE
from daiban.models import Case
from tests.intake_setup import World, apply_post

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = int(os.environ.get("BENCH_APPLY_REQUESTS", "400"))
CONNECTIONS = 20
SLACK = 1.1
ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url():
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def start_gunicorn(port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url(),
        "RATELIMIT_TRUST_FORWARDED": "1",
        "DAIBAN_WARM_SEARCH": "0",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "5",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn 未能启动")


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def post_many(port, path, body, requests):
    """`requests` POSTs over CONNECTIONS keep-alive connections at once; (seconds, status counts)."""
    token = secrets.token_hex(16)  # a CSRF secret of our own: cookie and field agree, as after a GET
    encoded = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": token})
    statuses, lock = {}, threading.Lock()
    per_connection = [requests // CONNECTIONS + (1 if n < requests % CONNECTIONS else 0) for n in range(CONNECTIONS)]

    def client(number, count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for index in range(count):
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "X-Forwarded-For": f"10.{number}.{index // 250}.{index % 250 + 1}",
            }
            conn.request("POST", path, encoded, headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n, count)) for n, count in enumerate(per_connection)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def test_apply_throughput_beside_bare_insert():
    if connection.vendor != "postgresql":
        pytest.skip("/apply/ 吞吐量需要 PostgreSQL（设置 DATABASE_URL）")
    world = World()
    body = {**apply_post(world), "bench_region": str(world.zizhong.pk)}  # the floor's row needs a region
    port = free_port()
    server = start_gunicorn(port)
    try:
        post_many(port, "/bench/bare-insert/", body, CONNECTIONS)  # warm: each worker's imports and connections
        post_many(port, "/apply/", body, CONNECTIONS)
        Case.objects.exclude(number__startswith="BD").delete()  # the floor's rows; the warm-up's cases stay
        floor_seconds, floor_statuses = post_many(port, "/bench/bare-insert/", body, REQUESTS)
        project_seconds, project_statuses = post_many(port, "/apply/", body, REQUESTS)
    finally:
        stop(server)

    project_rate, floor_rate = REQUESTS / project_seconds, REQUESTS / floor_seconds
    SCALE.append(
        (
            f"/apply/ POST, {CONNECTIONS} connections (s per request)",
            f"{REQUESTS} requests",
            project_seconds / REQUESTS,
            floor_seconds / REQUESTS,
            "",
            0.0,
            f"{project_rate:.0f} vs {floor_rate:.0f} req/s",
        )
    )
    assert floor_statuses == {302: REQUESTS}, floor_statuses
    assert project_statuses == {302: REQUESTS}, project_statuses
    today = timezone.localdate()
    numbers = sorted(Case.objects.filter(number__startswith="BD").values_list("number", flat=True))
    expected = [f"BD{today:%Y%m%d}{n:04d}" for n in range(1, CONNECTIONS + REQUESTS + 1)]  # warm-up included
    assert numbers == expected, "编号不连续或重复"
    assert project_rate >= 0.5 / SLACK * floor_rate, f"/apply/ {project_rate:.0f} 次/秒，地板 {floor_rate:.0f} 次/秒"
