"""Case numbers stay unique under concurrent submissions (PostgreSQL, one connection per thread)."""

import threading
import time

from django.db import connection

from daiban.models import Case
from daiban.services import intake
from tests.intake_setup import World
from tests.threads import POSTGRES_THREADS, in_parallel

pytestmark = POSTGRES_THREADS

SUBMISSIONS = 50
AT_ONCE = 20  # connections open at the same time (the server is shared)


def test_fifty_concurrent_submissions_get_fifty_distinct_numbers(on_postgres):
    details = World().details()
    numbers = [None] * SUBMISSIONS
    errors = []
    slots = threading.BoundedSemaphore(AT_ONCE)
    start = threading.Event()

    def submit(index):
        with slots:
            start.wait()
            try:
                numbers[index] = intake.submit_online({**details, "applicant_name": f"并发申请人{index}"}).number
            except Exception as exc:  # collected for the assertion
                errors.append(exc)
            finally:
                connection.close()  # each thread had its own connection

    # Plain threads, each ending with its connection closed (a pooled executor left connections behind).
    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(set(numbers)) == SUBMISSIONS
    assert Case.objects.count() == SUBMISSIONS
    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, SUBMISSIONS + 1))


def test_slow_submissions_do_not_wait_for_each_other(on_postgres, monkeypatch):
    """The day's counter is locked only at the end: ten requests slowed in their middle overlap."""
    details = World().details()
    original = intake._add_papers

    def slow_papers(*args, **kwargs):
        time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(intake, "_add_papers", slow_papers)
    calls = [lambda i=i: intake.submit_online({**details, "applicant_name": f"慢申请人{i}"}).number for i in range(10)]
    started = time.perf_counter()
    numbers = in_parallel(*calls)
    elapsed = time.perf_counter() - started

    assert all(isinstance(number, str) for number in numbers), numbers
    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, 11))
    assert elapsed < 2.0, f"十个申请排队等待编号：{elapsed:.1f} 秒"
