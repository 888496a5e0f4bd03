"""
WSGI config for portal project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

# A WSGI server is production: it refuses to start without SECRET_KEY and ALLOWED_HOSTS.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()

# Load the Chinese word segmenter's dictionary now, at start-up, not in the first search request (about
# a second, two while its cache file is first written). DAIBAN_WARM_SEARCH=0 skips it.
if os.environ.get("DAIBAN_WARM_SEARCH", "1") != "0":
    from daiban.search import tokenizer

    tokenizer()
