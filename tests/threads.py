"""What the threaded tests share: PostgreSQL-only marks and running calls at the same moment."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]

# Row locks need PostgreSQL. Skipped up front on SQLite: a skipped transactional test would still
# flush the database; serialized_rollback puts back the pages, site and groups the migrations made.
POSTGRES_THREADS = [
    pytest.mark.postgres,
    pytest.mark.skipif(ON_SQLITE, reason="需要 PostgreSQL（设置 DATABASE_URL 后运行）"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_parallel(*calls, slow=None, monkeypatch=None):
    """Run each call in its own thread and connection, starting together; return the results or errors."""
    if slow is not None:
        module, name = slow
        original = getattr(module, name)

        def slowly(*args, **kwargs):
            time.sleep(0.3)  # hold the row lock while the other thread arrives
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, slowly)
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def outcome(results):
    errors = [r for r in results if isinstance(r, Exception)]
    return len(results) - len(errors), errors
