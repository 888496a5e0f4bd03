"""Rate limits hold under concurrent requests (PostgreSQL, one connection per thread).

The counters live in the database here (RATELIMIT_STORE=database), as on a site whose cache is the
database cache; that cache's own incr() is not atomic and let 12–17 of 120 guesses through.
"""

import threading
from collections import Counter

from django.db import connection
from django.test import Client, override_settings

from daiban.ratelimit import RateLimit
from tests.intake_setup import World
from tests.threads import POSTGRES_THREADS

pytestmark = POSTGRES_THREADS

GUESSES = 120
AT_ONCE = 20  # connections open at the same time (the server is shared)


def run_concurrently(task, count):
    results, errors = [None] * count, []
    slots = threading.BoundedSemaphore(AT_ONCE)
    start = threading.Event()

    def run(index):
        with slots:
            start.wait()
            try:
                results[index] = task(index)
            except Exception as exc:  # collected for the assertion
                errors.append(exc)
            finally:
                connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(120)
    assert errors == []
    return results


@override_settings(RATELIMIT_STORE="database")
def test_the_database_counter_lets_exactly_the_limit_through(on_postgres):
    limit = RateLimit("concurrency", limit=10, period=3600, message="")
    allowed = run_concurrently(lambda index: limit.attempt(value="BD202601010001"), GUESSES)
    assert allowed.count(True) == 10
    assert limit.count("BD202601010001") == GUESSES


@override_settings(RATELIMIT_STORE="database")
def test_concurrent_wrong_guesses_from_one_address_get_at_most_ten_answers(on_postgres):
    case = World().online_case()

    def guess(index):
        response = Client().post(
            "/progress/", {"number": case.number, "secret": f"{index:06d}x"[:6]}, REMOTE_ADDR="198.51.100.7"
        )
        return response.status_code

    statuses = Counter(run_concurrently(guess, GUESSES))
    assert statuses[404] <= 10
    assert statuses[404] + statuses[429] == GUESSES


@override_settings(RATELIMIT_STORE="database")
def test_concurrent_wrong_guesses_on_one_number_leave_the_applicant_in(on_postgres):
    case = World().online_case()
    wrong = "999999" if case.query_code != "999999" else "999998"

    def guess(index):
        address = f"198.51.{index // 200}.{index % 200 + 1}"
        return Client().post("/progress/", {"number": case.number, "secret": wrong}, REMOTE_ADDR=address).status_code

    statuses = Counter(run_concurrently(guess, GUESSES))
    assert statuses[404] <= 10
    assert statuses[404] + statuses[429] == GUESSES
    applicant = Client().post(
        "/progress/", {"number": case.number, "secret": case.query_code}, REMOTE_ADDR="203.0.113.9"
    )
    assert applicant.status_code == 302
