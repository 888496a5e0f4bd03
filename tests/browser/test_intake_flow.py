"""Intake end to end in Chromium: online request with an upload → receipt → progress; the window sends a
一次性告知, registers the supplement, accepts the case, and the 申请表 prints on A4 in two copies."""

import re

import pytest

from daiban.models import Case, CaseStatus
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.intake_setup import PASSWORD, PDF, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def fill_request(page, world, tmp_path):
    upload = tmp_path / "身份证复印件.pdf"
    upload.write_bytes(PDF)
    page.goto(f"/apply/?matter={world.matter.pk}")
    page.get_by_label("企业名称或群众姓名").fill("王建国")
    page.get_by_label("联系人员").fill("王建国")
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_label("第1项材料名称").fill("居民身份证")
    page.get_by_label("上传材料（选填）").set_input_files(str(upload))
    page.get_by_label("我同意帮办代办窗口").check()


def test_online_request_to_acceptance_and_printed_form(page, screenshot, tmp_path):
    world = World()

    # A wrong phone first: the message is shown next to the field and in the summary; input kept.
    fill_request(page, world, tmp_path)
    page.get_by_label("联系电话").fill("123")
    page.get_by_role("button", name="提交申请").click()
    page.locator("#error-summary").get_by_text("请填写11位手机号码").wait_for()
    assert page.get_by_label("企业名称或群众姓名").input_value() == "王建国"
    screenshot("apply-error")

    fill_request(page, world, tmp_path)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt/**")
    case = Case.objects.get()
    assert page.locator("#case-number").inner_text() == case.number
    assert page.locator("#query-code").inner_text() == case.query_code
    assert page.locator("svg.qr").count() == 1
    assert case.attachments.count() == 1
    screenshot("receipt")

    page.get_by_role("link", name="查看办理进度").click()
    page.get_by_role("heading", name="办件进度").wait_for()
    assert page.get_by_text("待甄别").count() >= 1 and page.get_by_text("提交网上申请").count() == 1
    assert "138****1234" in page.content()
    screenshot("progress")

    # The window screens the request.
    admin_login(page, world.window.username, PASSWORD)
    page.goto(f"/admin/cases/{case.pk}/")
    page.locator("summary", has_text="一次性告知").click()
    page.get_by_label("户口簿的情况").select_option("missing")
    page.get_by_label("参保登记表的情况").select_option("wrong")
    page.get_by_label("参保登记表的补正要求").fill("需本人签字")
    page.get_by_role("button", name="确认一次性告知").click()
    page.get_by_text("已出具一次性告知书").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SUPPLEMENT
    screenshot("case-pending")

    with page.expect_popup() as popup:
        page.get_by_role("link", name="打印告知书").click()
    notice = popup.value
    notice.wait_for_load_state()
    assert "户口簿" in notice.content() and "需本人签字" in notice.content()
    notice.screenshot(
        path=str(ARTIFACTS / "test_online_request_to_acceptance_and_printed_form-notice.png"), full_page=True
    )
    notice.close()

    page.locator("summary", has_text="登记补正").click()
    page.get_by_label("补正情况").fill("已补交户口簿和签字的参保登记表")
    page.get_by_role("button", name="确认登记补正").click()
    page.get_by_text("已登记补正材料").wait_for()

    page.locator("summary", has_text=re.compile("^受理$")).click()
    page.get_by_role("button", name="确认受理").click()
    page.get_by_text("已受理。请打印申请表一式两份。").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepting_unit == world.bureau_unit
    timeline = page.locator("#case-timeline-section")
    for label in ("提交网上申请", "一次性告知：请补正材料", "已补正材料，重新甄别", "已受理"):
        assert timeline.get_by_text(label, exact=True).count() == 1
    screenshot("case-accepted")

    page.goto(f"/admin/cases/{case.pk}/print/application/")
    assert page.locator("section.sheet").count() == 2
    assert page.get_by_text("符合办理条件，予以受理。").count() == 2
    screenshot("application-form")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2  # one A4 page per copy

    page.goto("/admin/daiban/case/")
    assert page.get_by_text(case.number).count() >= 1 and page.get_by_text("138****1234").count() == 1
    screenshot("ledger")
