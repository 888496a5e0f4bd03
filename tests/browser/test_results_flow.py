"""A case goes from result to evaluation to archive in Chromium, and the month's report shows it."""

import pytest
from django.utils import timezone

from daiban.models import Case, CaseStatus
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.results_setup import case_in, city_staff, window, window_clerk

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PASSWORD = "pass-word-123"


def test_result_evaluation_archive_and_the_monthly_report(page, browser, live_server, screenshot):
    unit, centre = window()
    window_clerk(centre, username="window_clerk")
    now = timezone.now()
    case = case_in(
        CaseStatus.RESULTS_RETURNED, unit, centre, accepted_at=now, completed_at=now, applicant_name="王演示"
    )

    # The window records the pickup from the case page (the partial links to the results page).
    admin_login(page, "window_clerk", PASSWORD)
    page.goto(f"/admin/cases/{case.pk}/")
    page.get_by_role("link", name="登记结果领取或快递").click()
    page.get_by_role("textbox", name="领取人").fill("王演示")
    page.get_by_label("已核验领取人身份证件").check()
    screenshot("pickup")
    page.get_by_role("button", name="登记自行领取").click()
    page.get_by_text("已登记结果领取，办件已办结。").wait_for()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.COMPLETED

    # The applicant evaluates online from the progress page, in their own browser.
    applicant = browser.new_context(base_url=live_server.url, locale="zh-CN")
    public = applicant.new_page()
    public.goto("/progress/")
    public.get_by_label("办件编号").fill(case.number)
    public.locator("input[name=secret]").fill(case.contact_phone)
    public.get_by_role("button", name="查询").click()
    public.get_by_role("heading", name="服务评价").wait_for()
    public.get_by_label("满意", exact=True).check()
    public.get_by_label("意见建议（选填）").fill("窗口服务耐心，很快办好了。")
    public.get_by_role("button", name="提交评价").click()
    public.get_by_text("感谢您的评价").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    public.screenshot(path=str(ARTIFACTS / "test_results_flow-evaluated.png"), full_page=True)
    applicant.close()
    assert Case.objects.get(pk=case.pk).evaluation.comment == "窗口服务耐心，很快办好了。"

    # The window archives the case; afterwards it is read-only.
    page.goto(f"/admin/results/cases/{case.pk}/")
    page.get_by_text("网上好差评", exact=True).wait_for()
    page.get_by_role("button", name="归档").click()
    page.get_by_text("所有内容只读").wait_for()
    assert page.get_by_role("button", name="归档").count() == 0
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ARCHIVED

    # The city's report for the month shows it.
    city_staff(username="city_user")
    page.context.clear_cookies()
    admin_login(page, "city_user", PASSWORD)
    month = timezone.localdate().strftime("%Y-%m")
    page.goto(f"/admin/reports/?month={month}")
    row = page.locator("table.daiban-statistics tr", has_text=unit.name)
    assert row.locator("td").all_inner_texts()[2:6] == ["1", "0", "1", "100.00%"]
    assert page.locator("svg[role=img]").count() == 2
    screenshot("report")
