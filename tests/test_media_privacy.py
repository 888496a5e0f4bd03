"""Case uploads are never public files: the development server serves only Wagtail's images from MEDIA_URL."""

import importlib

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import portal.urls


@pytest.fixture
def debug_urlconf():
    with override_settings(DEBUG=True):
        module = importlib.reload(portal.urls)
        clear_url_caches()
        yield module
    importlib.reload(portal.urls)
    clear_url_caches()


def serves_media(path, urlconf):
    try:
        return resolve(path, urlconf=urlconf).func.__name__ == "serve"
    except Resolver404:
        return False


def test_images_are_served_but_case_uploads_and_pending_imports_are_not(debug_urlconf):
    assert serves_media("/media/images/logo.png", debug_urlconf)
    assert not serves_media("/media/cases/BD202611260001/id.pdf", debug_urlconf)
    assert not serves_media("/media/pending-uploads/abc.xlsx", debug_urlconf)
    assert not serves_media("/media/pending-uploads/jobs/0123abcd.xlsx", debug_urlconf)  # job uploads, exports
