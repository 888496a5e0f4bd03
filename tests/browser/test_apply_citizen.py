"""/apply/ in Chromium: 上门服务 shows its address and time fields (checked by the server too), and a chosen
file survives a rejected try, so the applicant only fixes what was wrong."""

import pytest

from daiban.models import Case
from tests.intake_setup import PDF, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def test_home_visit_fields_and_kept_files(page, screenshot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # kept files: its pending-uploads/apply/
    world = World()
    upload = tmp_path / "身份证复印件.pdf"
    upload.write_bytes(PDF)
    page.goto(f"/apply/?matter={world.matter.pk}")
    address = page.get_by_label("上门服务地址")
    assert not address.is_visible()
    page.get_by_label("上门服务", exact=True).check()
    assert address.is_visible() and page.get_by_label("希望上门的时间").is_visible()
    page.get_by_label("企业名称或群众姓名").fill("王建国")
    page.get_by_label("联系人员").fill("王建国")
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_label("上传材料（选填）").set_input_files(str(upload))
    page.get_by_label("我同意帮办代办窗口").check()
    page.get_by_role("button", name="提交申请").click()

    # The server asks for the address and the time; the file is kept.
    summary = page.locator("#error-summary")
    summary.get_by_text("选择上门服务时，请填写上门服务地址。").wait_for()
    assert summary.get_by_text("选择上门服务时，请填写希望上门的时间。").count() == 1
    assert page.get_by_text("1 个文件已保留，无需重新选择").count() == 1
    assert page.get_by_label("身份证复印件.pdf").is_checked()
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot("home-visit-errors-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("上门服务地址").fill("资中县水南镇演示村3组12号")
    page.get_by_label("希望上门的时间").fill("工作日上午")
    page.get_by_label("我同意帮办代办窗口").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt/**")
    case = Case.objects.get()
    assert case.visit_address == "资中县水南镇演示村3组12号" and case.visit_time == "工作日上午"
    assert list(case.attachments.values_list("original_name", flat=True)) == ["身份证复印件.pdf"]
