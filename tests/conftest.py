import pytest
from django.db import connection

from daiban.sms import MemorySmsBackend


@pytest.fixture(autouse=True)
def sms_outbox():
    """Every test starts with an empty, working SMS backend."""
    MemorySmsBackend.outbox = []
    MemorySmsBackend.fail = False
    yield MemorySmsBackend.outbox
    MemorySmsBackend.fail = False


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（设置 DATABASE_URL 后运行）")
