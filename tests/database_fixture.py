"""Test databases built once and reused: the migrated database and the demo database.

Running the migrations takes most of a minute and `manage.py load_demo` more than that, so neither is
done again when nothing it depends on has changed:

- The migrated database (SQLite): the first run saves the in-memory test database after `migrate` to a
  file in pytest's cache directory; later runs copy that file into memory instead of migrating (SQLite's
  backup API, milliseconds). Everything else pytest-django and Django do to set up the test database
  (serializing it for `serialized_rollback`, the cache table) still happens. On PostgreSQL the
  migrations run as usual (`--reuse-db` keeps the database between runs there).
- The demo database, for the tests that walk the demo data (`demo_db`): on SQLite the demo is loaded once
  into the test database, saved to a template file next to the migrated one, and the test database is
  put back as the migrations left it; a module that asks for `demo_db` gets the template copied into its
  in-memory database and the migrated state back afterwards. On PostgreSQL the worker's test database is
  cloned once (`CREATE DATABASE ... TEMPLATE ...`), the demo loaded into the clone, and a module that asks
  for `demo_db` runs against the clone; the clone is dropped at the end of the session.

Saved files are keyed on the project's code (daiban, home, portal), the installed packages and SQLite's
version, the demo also on today's date (it dates its cases relative to today), so a change to any of them
builds afresh. xdist workers build under a file lock and only read the saved files: each worker writes
only its own in-memory database. Each test still runs in a transaction that is rolled back.
"""

import contextlib
import fcntl
import hashlib
import importlib.metadata
import io
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.core import management
from django.db import connection, connections
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
# The code that decides what the databases hold: models, migrations, demo steps and the services they call.
SOURCES = ("daiban", "home", "portal")


def source_key(*extra):
    digest = hashlib.sha256()
    for path in sorted(path for package in SOURCES for path in (ROOT / package).rglob("*") if path.is_file()):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    digest.update("\n".join([*packages, f"sqlite {sqlite3.sqlite_version}", *extra]).encode())
    return digest.hexdigest()[:16]


def cache_dir(config):
    if getattr(config, "cache", None) is not None:
        return config.cache.mkdir("daiban-test-db")
    return Path(tempfile.mkdtemp(prefix="daiban-test-db-"))


class SavedDatabase:
    """A SQLite database file saved in the cache directory, written once under a lock, then only read."""

    def __init__(self, directory, prefix, key):
        self.directory = directory
        self.prefix = prefix
        self.path = directory / f"{prefix}-{key}.sqlite3"

    @contextlib.contextmanager
    def lock(self):
        with open(self.directory / f"{self.prefix}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one xdist worker builds, the others wait for it
            yield

    def exists(self):
        return self.path.exists()

    def save(self, source):
        """Save the database of the sqlite3 connection `source`, dropping earlier versions."""
        for old in self.directory.glob(f"{self.prefix}-*"):
            old.unlink()
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with contextlib.closing(sqlite3.connect(partial)) as target:
            source.backup(target)
        partial.replace(self.path)

    def load_into(self, target):
        with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as source:
            source.backup(target)
        clear_model_caches()


def clear_model_caches():
    """Rows changed under Django's feet: forget what it cached about them."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def is_in_memory_sqlite(alias):
    wrapper = connections[alias]
    return wrapper.vendor == "sqlite" and wrapper.creation.is_in_memory_db(wrapper.settings_dict["NAME"])


class MigrateOnce:
    """Stands in for `call_command` while the test databases are created: `migrate` of an in-memory
    SQLite database restores the saved migrated database, or runs and saves it."""

    def __init__(self, directory):
        self.saved = SavedDatabase(directory, "migrated", source_key())
        self.call_command = management.call_command

    def start(self):
        management.call_command = self

    def stop(self):
        management.call_command = self.call_command

    def __call__(self, name, *args, **options):
        alias = options.get("database", "default")
        if name != "migrate" or not is_in_memory_sqlite(alias):
            return self.call_command(name, *args, **options)
        target = connections[alias]
        with self.saved.lock():
            target.ensure_connection()
            if self.saved.exists():
                self.saved.load_into(target.connection)
                return None
            result = self.call_command(name, *args, **options)
            self.saved.save(target.connection)
            return result


class MigratedSnapshot:
    """The SQLite test database as the migrations left it, kept in memory to be put back in milliseconds."""

    copy = None

    @classmethod
    def take(cls):
        if is_in_memory_sqlite("default"):
            cls.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(cls.copy)

    @classmethod
    def restore(cls):
        cls.copy.backup(connection.connection)
        clear_model_caches()


def load_demo():
    out = io.StringIO()
    management.call_command("load_demo", stdout=out)
    return out.getvalue()


class SqliteDemo:
    """Copies the saved demo database into the worker's in-memory test database and back."""

    def __init__(self, directory):
        self.saved = SavedDatabase(directory, "demo", source_key(f"demo of {timezone.localdate().isoformat()}"))

    def build(self):
        with self.saved.lock():
            if not self.saved.exists():
                load_demo()
                self.saved.save(connection.connection)
                MigratedSnapshot.restore()

    def checkout(self):
        self.saved.load_into(connection.connection)

    def release(self):
        MigratedSnapshot.restore()

    def destroy(self):
        pass


class PostgresDemo:
    """Points the connection at a clone of the worker's test database that holds the demo."""

    def __init__(self):
        self.test_name = connection.settings_dict["NAME"]
        self.name = f"{self.test_name}_demo"

    def _switch(self, name):
        connection.close()
        connection.settings_dict["NAME"] = name
        clear_model_caches()

    def _drop(self, cursor):
        cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')

    def build(self):
        connection.close()
        with connection._nodb_cursor() as cursor:
            self._drop(cursor)
            cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.test_name}"')
        self._switch(self.name)
        try:
            load_demo()
        finally:
            self._switch(self.test_name)

    def checkout(self):
        self._switch(self.name)

    def release(self):
        self._switch(self.test_name)

    def destroy(self):
        connection.close()
        with connection._nodb_cursor() as cursor:
            self._drop(cursor)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """pytest-django's hook to run before the test databases are created: migrate them only once."""
    migrate_once = MigrateOnce(cache_dir(request.config))
    migrate_once.start()
    yield migrate_once
    migrate_once.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_modify_db_settings, django_db_blocker):
    """The test databases as pytest-django sets them up, and a copy of what the migrations made."""
    django_db_modify_db_settings.stop()  # only the test databases' own `migrate` is replaced
    with django_db_blocker.unblock():
        MigratedSnapshot.take()
    yield


@pytest.fixture(scope="session")
def demo_database(request, django_db_setup, django_db_blocker):
    """The demo database of this session (see the module's docstring)."""
    demo = PostgresDemo() if connection.vendor == "postgresql" else SqliteDemo(cache_dir(request.config))
    with django_db_blocker.unblock():
        demo.build()
    yield demo
    with django_db_blocker.unblock():
        demo.destroy()


@pytest.fixture(scope="session", autouse=True)
def _postgres_demo_before_anyone_connects(request):
    """On PostgreSQL the demo is a clone (CREATE DATABASE … TEMPLATE), which needs the worker's test
    database free of other sessions: build it before a live server or a thread connects to it."""
    if connection.vendor == "postgresql":
        request.getfixturevalue("demo_database")


@pytest.fixture(scope="module")
def demo_db(demo_database, django_db_blocker):
    """The demo data for every test of the module; each test still rolls back its own changes."""
    with django_db_blocker.unblock():
        demo_database.checkout()
    yield
    with django_db_blocker.unblock():
        demo_database.release()
