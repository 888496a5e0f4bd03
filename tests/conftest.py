import pytest
from django.core.cache import cache
from django.db import connection, connections

from daiban.sms import MemorySmsBackend
from tests.database_fixture import (  # noqa: F401
    _postgres_demo_before_anyone_connects,
    demo_database,
    demo_db,
    django_db_modify_db_settings,
    django_db_setup,
)


@pytest.fixture(autouse=True)
def sms_outbox():
    """Every test starts with an empty, working SMS backend."""
    MemorySmsBackend.outbox = []
    MemorySmsBackend.fail = False
    yield MemorySmsBackend.outbox
    MemorySmsBackend.fail = False


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits and other cached state never carry over from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL 后运行）")


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")))


def pytest_collection_modifyitems(config, items):
    """Refuse test files that mix transactional and ordinary database tests.

    `make test` distributes whole files to workers (--dist loadfile). A transactional test flushes the
    database when it ends, so an ordinary test scheduled after it in the same file would find none of
    the data the migrations created. Keep transactional tests in files of their own.
    """
    kinds = {}
    for item in items:
        if item.get_closest_marker("django_db"):
            kinds.setdefault(str(item.fspath), set()).add(_is_transactional(item))
    mixed = sorted(path for path, seen in kinds.items() if len(seen) > 1)
    if mixed:
        raise pytest.UsageError("以下测试文件混用了事务型和普通数据库测试，请拆分：" + "，".join(mixed))


_SNAPSHOTS = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put back what the migrations made after a transactional test, unless another one follows.

    A transactional test flushes the database when it ends (serialized_rollback restores the data only
    when the next transactional test starts). Whole files are distributed to workers, so an ordinary
    test file may run after a transactional one in the same worker: it needs the groups, pages and
    content types of the migrations.
    """
    result = yield
    # nextitem is None at the end of the session (also under xdist): the test databases are gone by then.
    if _is_transactional(item) and nextitem is not None and not _is_transactional(nextitem):
        _restore_migrated_data(item.config)
    return result


def _restore_migrated_data(config):
    from django.contrib.contenttypes.models import ContentType
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None) or _SNAPSHOTS.get(alias)
            if contents:
                _SNAPSHOTS[alias] = contents
                connections[alias].creation.deserialize_db_from_string(contents)
    ContentType.objects.clear_cache()
