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


def production_setting(name, **env):
    # The browser tests' conftest allows async-unsafe calls in this process; a deployment never does.
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="x", **env
    )
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_https_switches_are_on_by_default_in_production_and_can_be_turned_off():
    assert production_setting("SECURE_SSL_REDIRECT") == "True"
    assert production_setting("SESSION_COOKIE_SECURE") == "True"
    assert int(production_setting("SECURE_HSTS_SECONDS")) >= 31536000
    assert production_setting("SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="0") == "False"
    assert production_setting("SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="0") == "0"


def test_django_admin_is_not_installed():
    from django.conf import settings

    assert "django.contrib.admin" not in settings.INSTALLED_APPS
