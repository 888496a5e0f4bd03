"""The window's day in Chromium, in one story: an online request waits in the window's queue, the clerk sends a
一次性告知, the applicant answers it online, the clerk accepts with a 容缺 item, and 办结 is refused until the
item is waived with a reason."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from daiban.models import CaseStatus, DeferredMaterial, Notification
from daiban.services import handling
from daiban.services.base import current_version
from tests.browser.conftest import admin_login
from tests.handling_setup import unit_with_staff
from tests.intake_setup import PASSWORD, PDF, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def route_and_complete(case, world):
    """The linked handling between acceptance and results, as the unit's staff would do it (not the subject here)."""
    unit = unit_with_staff("资中县医疗保障局", region=world.zizhong)
    case = handling.route_single(case, unit=unit.unit, user=world.window, version=current_version(case))
    flow = case.flows.get()
    flow = handling.accept_flow(flow, user=unit.staff, version=flow.version, notice_no="资医受〔2026〕1号")
    handling.complete_flow(flow, user=unit.staff, version=flow.version, result_note="已办结")
    case.refresh_from_db()
    return case


def test_from_the_queue_through_the_correction_loop_to_a_held_completion(
    page, browser, live_server, screenshot, tmp_path
):
    world = World()
    case = world.online_case()
    # The window heard of it through the outbox (mail to its staff), beside the applicant's own SMS.
    assert Notification.objects.filter(case=case, recipient=world.window.email).exists()

    # The request is first in the clerk's queue, flagged new.
    admin_login(page, world.window.username, PASSWORD)
    page.goto("/admin/my-queue/")
    queue_row = page.locator("tr", has_text=case.number)
    queue_row.wait_for()
    assert "新" in queue_row.inner_text()
    screenshot("queue")
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_url(f"**/admin/cases/{case.pk}/")

    # 一次性告知, item by item.
    page.locator("summary", has_text="一次性告知").click()
    page.get_by_label("户口簿的情况").select_option("missing")
    page.get_by_label("参保登记表的情况").select_option("wrong")
    page.get_by_label("参保登记表的补正要求").fill("需本人签字")
    page.get_by_role("button", name="确认一次性告知").click()
    page.get_by_text(re.compile("一次性告知")).first.wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SUPPLEMENT

    # The applicant reads each problem on /progress/ and sends the files.
    applicant = browser.new_context(base_url=live_server.url, locale="zh-CN")
    public = applicant.new_page()
    public.goto(f"/progress/?number={case.number}")
    public.get_by_label("联系电话或查询码").fill(case.query_code)
    public.get_by_role("button", name="查询", exact=True).click()
    items = public.locator(".notice-items tbody tr")
    assert items.count() == 2 and "需本人签字" in items.nth(1).inner_text()
    booklet, form = tmp_path / "户口簿.pdf", tmp_path / "参保登记表.pdf"
    booklet.write_bytes(PDF)
    form.write_bytes(PDF)
    public.get_by_label("上传“户口簿”").set_input_files(str(booklet))
    public.get_by_label("上传“参保登记表”").set_input_files(str(form))
    public.get_by_role("button", name="提交补正材料").click()
    public.get_by_text("补正材料已提交，窗口将重新甄别").wait_for()
    applicant.close()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    # Back in the clerk's queue as a correction received; accepted with one 容缺 item.
    page.goto("/admin/my-queue/")
    assert page.locator("tr", has_text=case.number).count() >= 1
    page.goto(f"/admin/cases/{case.pk}/")
    page.locator("summary", has_text=re.compile("^受理$")).click()
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("第1项容缺材料").fill("村委会证明")
    page.get_by_label("第1项补交期限").fill(due.isoformat())
    page.get_by_role("button", name="确认受理").click()
    page.get_by_text("已受理（预审+容缺）。请打印申请表一式两份。").wait_for()
    material = DeferredMaterial.objects.get(case=case)
    assert (material.name, material.due_date, material.is_outstanding) == ("村委会证明", due, True)

    case = route_and_complete(case, world)
    assert case.status == CaseStatus.RESULTS_RETURNED

    # 办结 (the pickup) is refused while the material is owed, naming it.
    page.goto(f"/admin/cases/{case.pk}/")
    page.get_by_role("link", name="登记结果领取或快递").click()
    results_url = page.url
    # The page says why instead of offering the hand-over, and the server refuses a forged post too.
    page.locator(".daiban-refusal", has_text=re.compile("村委会证明.*尚未补交")).wait_for()
    assert page.get_by_role("button", name="登记自行领取").count() == 0
    forged = Client()
    forged.force_login(world.window)
    post = {"action": "pickup", "pickup-version": current_version(case), "pickup-collected_by": "王建国"}
    response = forged.post(f"/admin/results/cases/{case.pk}/", {**post, "pickup-identity_checked": "on"})
    assert response.status_code == 409 and "村委会证明" in response.content.decode()
    screenshot("completion-refused")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED

    # Waived with a reason on the case page; then the pickup completes the case.
    page.goto(f"/admin/cases/{case.pk}/")
    page.get_by_label("免于补交原因").fill("已在部门系统核验")
    page.get_by_role("button", name=re.compile("免于补交")).click()
    page.get_by_text(re.compile("免于补交：已在部门系统核验")).wait_for()
    page.goto(results_url)
    page.get_by_role("textbox", name="领取人").fill("王建国")
    page.get_by_label("已核验领取人身份证件").check()
    page.get_by_role("button", name="登记自行领取").click()
    page.get_by_text("已登记结果领取，办件已办结。").wait_for()
    screenshot("completed")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
