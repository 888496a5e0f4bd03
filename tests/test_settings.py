"""Production settings refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_production(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
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
