"""200 simultaneous /apply/ submissions on PostgreSQL through gunicorn (`make load`).

    .venv/bin/python benchmarks/load_apply.py [--requests 200] [--workers 4] [--server postgres://postgres@127.0.0.1:5432]

What it does, start to end (everything it creates it removes again, also when interrupted):

1. creates a fresh database (`daiban_load` unless --database says otherwise) on the server,
   migrates it, makes the cache table, collects the static files (the production storage needs its
   manifest) and adds one county with its service centre: all a request needs;
2. starts gunicorn (`portal.wsgi`, production settings with plain HTTP allowed: SECURE_SSL_REDIRECT=0,
   cookies not marked secure, no HSTS; --workers sync workers) on 127.0.0.1 only, on a free port;
3. opens /apply/ once per applicant (a session each, for the CSRF cookie and token), waits until all
   are ready, then sends every submission at once, each from its own address: the site trusts
   X-Forwarded-For for the run (RATELIMIT_TRUST_FORWARDED=1), so the limit of 5 requests per
   address and hour counts each applicant apart, as it would behind the city's proxy;
4. prints requests, successes, distinct and consecutive case numbers, p50/p95/max latency of the
   submissions, throughput and the errors; the exit status is 1 when a submission failed or the
   numbers are not consecutive;
5. stops gunicorn and drops the database.

Bounded: at most --requests submissions, each given --timeout seconds, the whole run --deadline seconds.
"""

import argparse
import concurrent.futures
import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RECEIPT = re.compile(r"/apply/receipt/(BD\d{8}\d{4,})/$")
MINIMAL_DATA = """
from daiban.models import CentreLevel, Region, RegionLevel, ServiceCentre
city = Region.get_root_nodes().filter(name="内江市").first() or Region.add_root(name="内江市", level=RegionLevel.CITY)
county = city.get_children().filter(name="资中县").first() or city.add_child(name="资中县", level=RegionLevel.COUNTY)
centre, _ = ServiceCentre.objects.get_or_create(
    name="资中县政务服务中心", defaults={"level": CentreLevel.GOV_CENTRE, "region": county, "address": "资中县水南镇"}
)
print(centre.pk)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="submissions, all sent at once (default 200)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument(
        "--server",
        default=os.environ.get("LOAD_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, without a database name (default: LOAD_DATABASE_SERVER or local)",
    )
    parser.add_argument("--database", default="daiban_load", help="database created and dropped (default daiban_load)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds one request may take (default 120)")
    parser.add_argument("--deadline", type=float, default=600, help="seconds the whole run may take (default 600)")
    return parser.parse_args()


def log(message):
    print(f"[load] {message}", flush=True)


# The database --------------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(server, name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"数据库名只能包含小写字母、数字和下划线：{name}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    log(f"created database {name}")
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        log(f"dropped database {name}")


def site_environment(database_url, scratch):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on the loopback for the run; everything else as in production.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            # The applicants' addresses come in X-Forwarded-For, as behind the city's proxy.
            "RATELIMIT_TRUST_FORWARDED": "1",
            "MEDIA_ROOT": str(scratch / "media"),
            "LOG_DIR": str(scratch / "logs"),
            "SMS_BACKEND": "daiban.sms.ConsoleSmsBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else None


def prepare_site(env):
    log("migrate")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    log("collectstatic")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    return int(manage(env, "shell", "-c", MINIMAL_DATA, capture=True).strip().splitlines()[-1])


# The server ----------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers, timeout):
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(int(timeout)),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            if server.poll() is not None:
                raise SystemExit("gunicorn 未能启动")
            with contextlib.suppress(requests.RequestException):  # the workers are still importing
                if requests.get(f"{base}/apply/", timeout=30).status_code == 200:
                    break
            if time.monotonic() - started > 120:
                raise SystemExit("gunicorn 120秒内未就绪")
            time.sleep(0.5)
        log(f"gunicorn pid {server.pid}, {workers} workers on {base}")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log("gunicorn stopped")


# The applicants ------------------------------------------------------------------------------------


def application(index, centre_pk, token):
    data = {
        "csrfmiddlewaretoken": token,
        "is_company": "0",
        "applicant_name": f"压测申请人{index:03d}",
        "contact_name": f"压测申请人{index:03d}",
        "contact_phone": f"139{index:08d}",
        "id_number": "",
        "email": "",
        "matter": "",
        "matter_text": "城乡居民基本养老保险参保登记",
        "service_form": "proxy",
        "service_form_other": "",
        "units_text": "",
        "description": "压力测试：同时提交的申请",
        "delivery": "pickup",
        "recipient_name": "",
        "recipient_phone": "",
        "recipient_address": "",
        "special_group": "",
        "centre": str(centre_pk),
        "visit_address": "",
        "visit_time": "",
        "consent": "on",
        "website": "",
        "materials-TOTAL_FORMS": "1",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "20",
        "materials-0-name": "居民身份证",
        "materials-0-copies": "1",
        "materials-0-form": "copy",
    }
    return data


def applicant(index, base, centre_pk, ready, timeout):
    """Open the form, wait for everyone, submit. Returns (sent at, answered at, number or None, error or None)."""
    address = f"10.{100 + index // 65536}.{index // 256 % 256}.{index % 256}"
    headers = {"X-Forwarded-For": address}
    session = requests.Session()
    try:
        page = session.get(f"{base}/apply/", headers=headers, timeout=timeout)
        token = CSRF_INPUT.search(page.text)
        if page.status_code != 200 or token is None:
            ready.abort()
            return None, None, None, f"GET /apply/ {page.status_code}"
        ready.wait(timeout=timeout)
        started = time.perf_counter()
        response = session.post(
            f"{base}/apply/",
            data=application(index, centre_pk, token.group(1)),
            headers={**headers, "Referer": f"{base}/apply/"},
            allow_redirects=False,
            timeout=timeout,
        )
        finished = time.perf_counter()
    except (requests.RequestException, threading.BrokenBarrierError) as error:
        return None, None, None, type(error).__name__
    match = RECEIPT.search(response.headers.get("Location", ""))
    if response.status_code != 302 or match is None:
        return started, finished, None, f"POST /apply/ {response.status_code}"
    return started, finished, match.group(1), None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def stored_numbers(database_url):
    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute("SELECT number FROM daiban_case")]


def consecutive(numbers):
    """Whether each day's numbers run 0001, 0002, … without a gap or a repeat."""
    days = {}
    for number in numbers:
        days.setdefault(number[:10], []).append(int(number[10:]))
    return all(sorted(serials) == list(range(1, len(serials) + 1)) for serials in days.values())


def run(args):
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="daiban-load-") as scratch:
        scratch = Path(scratch)
        with fresh_database(args.server, args.database) as database_url:
            env = site_environment(database_url, scratch)
            centre_pk = prepare_site(env)
            with gunicorn(env, args.workers, args.timeout) as base:
                ready = threading.Barrier(args.requests)
                log(f"{args.requests} applicants open /apply/, then submit at once")
                with concurrent.futures.ThreadPoolExecutor(max_workers=args.requests) as pool:
                    futures = [
                        pool.submit(applicant, index, base, centre_pk, ready, args.timeout)
                        for index in range(args.requests)
                    ]
                    remaining = max(1.0, args.deadline - (time.monotonic() - started))
                    done, late = concurrent.futures.wait(futures, timeout=remaining)
                results = [future.result() for future in done] + [(None, None, None, "deadline")] * len(late)
            numbers = stored_numbers(database_url)
    return report(args, results, numbers)


def report(args, results, numbers):
    answered = [(sent, done) for sent, done, _number, _error in results if done is not None]
    latencies = [done - sent for sent, done, number, _error in results if number]
    received = [number for _sent, _done, number, _error in results if number]
    # The burst: from the first submission sent to the last one answered.
    wall = max(done for _sent, done in answered) - min(sent for sent, _done in answered) if answered else 0.0
    errors = {}
    for _sent, _done, _number, error in results:
        if error:
            errors[error] = errors.get(error, 0) + 1
    in_order = consecutive(numbers)
    print()
    print(f"requests:             {args.requests} (gunicorn, {args.workers} sync workers, PostgreSQL)")
    print(f"successes:            {len(received)}")
    print(f"distinct case numbers {len(set(received))} received, {len(set(numbers))} stored")
    first, last = min(numbers, default="-"), max(numbers, default="-")
    print(f"consecutive numbers:  {'yes' if in_order else 'NO'} ({first} … {last})")
    if latencies:
        print(
            f"latency (submission): p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    if wall:
        print(f"throughput:           {len(received) / wall:.1f} submissions/s ({wall:.1f} s for the whole burst)")
    print(f"errors:               {sum(errors.values())}" + (f" {errors}" if errors else ""))
    ok = len(received) == args.requests and len(set(received)) == len(received) == len(numbers) and in_order
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(parse_args()))
