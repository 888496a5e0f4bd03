"""The correction loop in Chromium: the applicant reads each problem of the 一次性告知 on /progress/, uploads
the corrected files and sends them; the case is back in screening with the new files, as the window sees it."""

import pytest

from daiban.models import CaseStatus
from daiban.services import intake
from tests.browser.conftest import admin_login
from tests.intake_setup import PASSWORD, PDF, PNG, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def test_applicant_sends_the_corrections_online(page, screenshot, tmp_path):
    world = World()
    case = world.online_case()
    intake.request_supplement(
        case,
        user=world.window,
        items=[
            {"name": "户口簿", "problem": "missing", "requirement": "户主页和本人页复印件"},
            {"name": "参保登记表", "problem": "wrong", "requirement": "需本人签字"},
        ],
        version=case.version,
    )
    case.refresh_from_db()

    page.goto(f"/progress/?number={case.number}")
    page.get_by_label("联系电话或查询码").fill(case.query_code)
    page.get_by_role("button", name="查询", exact=True).click()
    page.get_by_role("heading", name="需要补正的材料（一次性告知）").wait_for()
    rows = page.locator(".notice-items tbody tr")
    assert rows.count() == 2
    assert "户口簿" in rows.nth(0).inner_text() and "缺少" in rows.nth(0).inner_text()
    assert "户主页和本人页复印件" in rows.nth(0).inner_text()
    assert "不符合要求" in rows.nth(1).inner_text() and "需本人签字" in rows.nth(1).inner_text()
    assert page.get_by_text("王建国").count() >= 1  # the applicant's own name, unmasked

    # Nothing chosen: told so, nothing changes.
    page.get_by_role("button", name="提交补正材料").click()
    page.locator("#error-summary").get_by_text("请至少为一项需补正的材料选择文件").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING_SUPPLEMENT

    booklet = tmp_path / "户口簿.pdf"
    booklet.write_bytes(PDF)
    form = tmp_path / "参保登记表-已签字.png"
    form.write_bytes(PNG)
    page.get_by_label("上传“户口簿”").set_input_files(str(booklet))
    page.get_by_label("上传“参保登记表”").set_input_files(str(form))
    page.get_by_label("补充说明（选填）").fill("登记表已本人签字")
    for width, name in ((320, "phone"), (640, "zoom200")):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"corrections-{name}")
    page.get_by_label("上传“户口簿”").focus()
    screenshot("corrections-focus")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="提交补正材料").click()
    page.get_by_text("补正材料已提交，窗口将重新甄别").wait_for()
    assert page.get_by_text("申请人在网上提交补正材料，重新甄别").count() == 1
    assert page.get_by_role("button", name="提交补正材料").count() == 0
    screenshot("sent")

    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert set(case.attachments.values_list("original_name", flat=True)) == {"户口簿.pdf", "参保登记表-已签字.png"}

    # The window sees what came in on the case's timeline, and may screen it again.
    admin_login(page, world.window.username, PASSWORD)
    page.goto(f"/admin/cases/{case.pk}/")
    timeline = page.locator(".daiban-timeline")
    assert (
        "户口簿：户口簿.pdf" in timeline.inner_text() and "参保登记表：参保登记表-已签字.png" in timeline.inner_text()
    )
    assert page.get_by_role("link", name="户口簿.pdf").count() == 1
    assert page.locator("summary", has_text="受理").count() >= 1
    screenshot("admin-case")
