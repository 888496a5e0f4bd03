"""Production settings refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_production(**env):
    # The browser tests' conftest allows async-unsafe calls in this process; a deployment never does.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_wsgi_without_secret_key_refuses_to_start():
    result = start_production()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_wsgi_without_allowed_hosts_refuses_to_start():
    result = start_production(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_wsgi_starts_when_configured():
    result = start_production(SECRET_KEY="x" * 50, ALLOWED_HOSTS="banban.example.gov.cn")
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_under_production_settings():
    # The browser tests' conftest allows async-unsafe calls in this process; a deployment never does.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="k9$" + "x7Qz!pL2" * 8,
        ALLOWED_HOSTS="banban.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def run_production(code, **env):
    """What `code` prints after django.setup() under the production settings and `env`."""
    # The browser tests' conftest allows async-unsafe calls in this process; a deployment never does.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "S3_BUCKET", "REDIS_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x", **env
    )
    code = f"import django; django.setup(); from django.conf import settings; {code}"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def production_setting(name, **env):
    return run_production(f"print(repr(settings.{name}))", **env)


def test_https_switches_are_on_by_default_in_production_and_can_be_turned_off():
    assert production_setting("SECURE_SSL_REDIRECT") == "True"
    assert production_setting("SESSION_COOKIE_SECURE") == "True"
    assert int(production_setting("SECURE_HSTS_SECONDS")) >= 31536000
    assert production_setting("SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="0") == "False"
    assert production_setting("SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="0") == "0"


def test_django_admin_is_not_installed():
    from django.conf import settings

    assert "django.contrib.admin" not in settings.INSTALLED_APPS


S3_ENV = {
    "S3_BUCKET": "daiban-files",
    "S3_ENDPOINT_URL": "http://minio.internal:9000",
    "S3_ACCESS_KEY": "test-access",
    "S3_SECRET_KEY": "test-secret",
    "S3_ADDRESSING_STYLE": "path",
}


def production_storage(**env):
    """The default storage's class, options and a file's link, built without any network call."""
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, getattr(s, 'bucket_name', '-'), getattr(s, 'endpoint_url', '-'), "
        "getattr(s, 'location', '-'), getattr(s, 'default_acl', '-')); "
        "print(s.url('pending-uploads/jobs/abc.xlsx') if hasattr(s, 'bucket_name') else '-')"
    )
    return run_production(code, **env).splitlines()


def test_production_keeps_files_on_the_local_disk_unless_a_bucket_is_given():
    assert production_storage()[0].startswith("FileSystemStorage")
    assert "FileSystemStorage" in production_setting("STORAGES['default']['BACKEND']")


def test_production_uses_the_s3_compatible_bucket_given_by_environment_with_private_signed_links():
    described, link = production_storage(**S3_ENV, S3_PREFIX="banban")
    assert described == "S3Storage daiban-files http://minio.internal:9000 banban None"
    assert link.startswith("http://minio.internal:9000/daiban-files/banban/pending-uploads/jobs/abc.xlsx?")
    assert "Signature" in link and "test-secret" not in link


def test_sessions_are_kept_in_the_database_or_written_through_from_a_shared_cache():
    assert production_setting("SESSION_ENGINE") == "'django.contrib.sessions.backends.db'"
    assert (
        production_setting("SESSION_ENGINE", REDIS_URL="redis://127.0.0.1:6379/0")
        == "'django.contrib.sessions.backends.cached_db'"
    )
