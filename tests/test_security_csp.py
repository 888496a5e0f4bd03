"""Content-Security-Policy: strict with nonces on public pages, Wagtail's inline scripts allowed in the admin only."""

import re

import pytest

from tests.factories import UserFactory, home_page

pytestmark = pytest.mark.django_db


def policy(response):
    return dict(
        (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )


def test_public_pages_allow_only_our_scripts_and_the_requests_nonce(client):
    home_page()
    response = client.get("/apply/")
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    nonce = next(source for source in directives["script-src"] if source.startswith("'nonce-"))[7:-1]
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts and all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]


def test_each_response_gets_a_fresh_nonce(client):
    first = policy(client.get("/apply/"))["script-src"]
    second = policy(client.get("/apply/"))["script-src"]
    assert first != second


def test_the_admin_policy_allows_wagtails_inline_scripts_but_nothing_from_elsewhere(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    directives = policy(client.get("/admin/"))
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
