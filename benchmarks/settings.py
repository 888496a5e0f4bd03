"""Production settings for the /apply/ throughput bench: gunicorn on 127.0.0.1 with the bench's floor view.

Everything is production's (DEBUG off, the database cache, the database rate-limit counters, sessions,
background jobs in the database) except: the URLconf adds the floor (benchmarks/urls.py), static files
need no collectstatic manifest, and plain HTTP on 127.0.0.1 is served without the HTTPS redirect.
Rate limits stay on: the bench gives every request its own client address through
RATELIMIT_TRUST_FORWARDED=1 and X-Forwarded-For, as the citizens of a city each have their own.
"""

import os

for name, value in {"SECRET_KEY": "bench-only", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0"}.items():
    os.environ.setdefault(name, value)

from portal.settings.production import *  # noqa: E402, F403

ROOT_URLCONF = "benchmarks.urls"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
