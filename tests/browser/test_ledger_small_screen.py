"""Chromium at 1366×768 (the window's usual screen): the ledger's 承诺办结日期 column is in view without
scrolling sideways, and the filter panel folds away and back with its button (mouse and keyboard)."""

import datetime

import pytest
from django.utils import timezone

from daiban.models import CaseStatus, SpecialGroup
from daiban.roles import WINDOW_STAFF
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.factories import CaseFactory, CentreFactory, county, staff_user

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PASSWORD = "pass-word-123"
SCREEN = {"width": 1366, "height": 768}


def long_cases(centre):
    today = timezone.localdate()
    for index in range(12):
        CaseFactory(
            centre=centre,
            status=CaseStatus.ACCEPTED,
            applicant_name=f"资中县演示机械制造有限公司第{index}分公司",
            matter_text="工业项目用地及不动产首次登记（跨层级）“一件事一次办”联合审批",
            special_group=SpecialGroup.choices[0][0] if index % 3 == 0 else "",
            due_date=today + datetime.timedelta(days=index - 4),
        )


def in_viewport(page, locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"]


def test_ledger_fits_a_1366_screen_and_its_filters_fold(browser, live_server, request):
    centre = CentreFactory(name="资中县政务服务中心", region=county("资中县"))
    staff_user(WINDOW_STAFF, centre=centre, username="zizhong_window")
    long_cases(centre)

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=SCREEN)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        admin_login(page, "zizhong_window", PASSWORD)
        page.goto("/admin/daiban/case/")
        header = page.get_by_role("columnheader", name="承诺办结日期")
        first_due = page.locator("td.field-due_label").first
        toggle = page.get_by_role("button", name="筛选条件", exact=True)
        filters = page.locator("#ledger-filter-body")

        # With the filters open, the deadline column is already in view and nothing scrolls sideways.
        assert toggle.get_attribute("aria-expanded") == "true" and filters.is_visible()
        assert in_viewport(page, header) and in_viewport(page, first_due)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate(
            "(() => { const l = document.querySelector('.result-list'); return l.scrollWidth <= l.clientWidth; })()"
        )
        shoot(page, request, "filters-open")
        # The overdue rows (flags under the date) at the bottom are in view too.
        last_due = page.locator("td.field-due_label").last
        last_due.scroll_into_view_if_needed()
        assert "已超期" in last_due.inner_text() and in_viewport(page, last_due)
        shoot(page, request, "filters-open-overdue-rows")
        page.locator("td.field-number_link").first.scroll_into_view_if_needed()

        # Folded with the mouse: the table takes the room, the state is announced.
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false" and not filters.is_visible()
        assert in_viewport(page, header)
        shoot(page, request, "filters-folded")

        # Remembered on the next visit.
        page.reload()
        toggle = page.get_by_role("button", name="筛选条件", exact=True)
        assert toggle.get_attribute("aria-expanded") == "false" and not filters.is_visible()

        # Opened again from the keyboard.
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true" and filters.is_visible()
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Space")
        assert filters.get_by_role("link", name="已受理").is_visible()
    finally:
        page.goto("about:blank")
        context.close()


def shoot(page, request, name):
    """What the clerk sees on the screen: test-artifacts/<test>-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"))
