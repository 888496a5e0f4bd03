"""我的待办 in Chromium: a citizen applies online at /apply/; the window clerk logs in, finds the count on the
dashboard and the request flagged 新 in 我的待办, and opens it. The clerk of another county sees none of it."""

import pytest

from daiban.models import Case
from tests.browser.conftest import admin_login
from tests.browser.test_intake_flow import fill_request
from tests.intake_setup import PASSWORD, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def test_an_online_request_reaches_the_window_clerks_queue(page, screenshot, tmp_path):
    world = World()

    fill_request(page, world, tmp_path)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt/**")
    case = Case.objects.get()

    # The clerk of the other county: nothing to screen, and the request is nowhere.
    admin_login(page, world.other_window.username, PASSWORD)
    assert page.locator('[data-section="screening"]').inner_text() == "0"
    page.goto("/admin/my-queue/?section=screening")
    assert page.get_by_text(case.number).count() == 0
    page.context.clear_cookies()

    # The clerk of the case's centre: one to screen on the dashboard, flagged 新 in 我的待办.
    admin_login(page, world.window.username, PASSWORD)
    panel = page.locator("#work-queue-section")
    assert panel.locator('[data-section="screening"]').inner_text() == "1"
    assert panel.get_by_role("link", name=case.number).count() == 1
    screenshot("dashboard")

    page.get_by_role("link", name="我的待办", exact=True).first.click()
    page.wait_for_url("**/admin/my-queue/**")
    page.get_by_role("heading", name="待甄别（1）").wait_for()
    row = page.locator("table.daiban-queue tbody tr").filter(has_text=case.number)
    assert row.count() == 1
    assert row.locator(".daiban-new").inner_text() == "新"
    assert "网上申请" in row.inner_text() and world.matter.title in row.inner_text()
    assert "13800001234" not in page.content() and "王建国" not in page.content()  # no personal data in the queue
    screenshot("queue")

    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/admin/cases/{case.pk}/")
    page.locator("#case-timeline-section").get_by_text("提交网上申请").wait_for()
    screenshot("case")
