"""Chromium under the Content-Security-Policy: the page editor and the public pages run without violations."""

import pytest

from tests.browser.conftest import admin_login
from tests.factories import UserFactory, home_page, matter

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def collect_violations(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: violations.append(str(error)))
    return violations


def test_the_page_editor_works_under_the_policy(page, screenshot):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    guide = matter(title="失业保险金申领")
    violations = collect_violations(page)

    admin_login(page, "admin", "pass-word-123")
    response = page.goto(f"/admin/pages/{guide.pk}/edit/")
    assert "script-src" in response.headers["content-security-policy"]
    title = page.locator("#id_title")
    title.fill("失业保险金申领（已修订）")
    page.get_by_role("button", name="保存草稿").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages .success, .messages li").first.is_visible()
    guide.refresh_from_db()
    assert guide.get_latest_revision().as_object().title == "失业保险金申领（已修订）"
    screenshot("editor")
    assert violations == []


def test_public_pages_run_without_violations(page):
    home_page()
    violations = collect_violations(page)
    for url in ("/", "/apply/", "/progress/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="大字号").click()  # portal.js, loaded from our own origin
    assert "text-large" in page.locator("html").get_attribute("class")
    assert violations == []
