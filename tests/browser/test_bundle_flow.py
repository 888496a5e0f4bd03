"""一件事一次办 end to end in the admin: window → lead unit + co-handling unit → results back at the window.

Every transfer of paper is recorded as a handover, confirmed by the receiving side and printed (附件6).
"""

import pytest

from daiban.models import CaseStatus, FlowStatus, Handover
from tests.browser.conftest import admin_login
from tests.handling_setup import World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PASSWORD = "pass-word-123"


def login_as(page, user):
    page.context.clear_cookies()
    admin_login(page, user.username, PASSWORD)


def open_case(page, case):
    page.goto(f"/admin/handling/cases/{case.pk}/")


def register_handover(page, from_side, to_side, items, result=False):
    page.get_by_text("登记材料交接").click()
    page.select_option("#id_h-from_side", from_side)
    page.select_option("#id_h-to_side", to_side)
    for row, (name, copies) in enumerate(items):
        page.fill(f"#id_h-item_{row}", name)
        page.fill(f"#id_h-copies_{row}", str(copies))
    if result:
        page.check("#id_h-is_result")
    page.get_by_role("button", name="登记交接").click()
    page.get_by_text("材料交接已登记").wait_for()


def confirm_latest_handover(page):
    handover = Handover.objects.order_by("-pk").first()
    page.locator(f"#handover-{handover.pk}").get_by_role("button", name="确认接收").click()
    page.get_by_text("已确认接收").first.wait_for()
    return handover


def accept_flow(page, flow, notice_no):
    page.fill(f"#id_f{flow.pk}-notice_no", notice_no)
    page.locator(f"#flow-{flow.pk}").get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理。").wait_for()


def complete_flow(page, flow, result):
    page.fill(f"#id_f{flow.pk}-result_note", result)
    page.locator(f"#flow-{flow.pk}").get_by_role("button", name="办结", exact=True).click()
    page.get_by_text("已办结。").wait_for()


def test_bundle_case_through_lead_and_co_unit_back_to_the_window(page, screenshot):
    world = World()
    case = world.accepted_case()
    lead, co = world.lead.unit, world.co.unit

    # The window routes the case to the lead unit's liaison with one co-handling unit.
    login_as(page, world.window)
    page.goto(f"/admin/handling/cases/{case.pk}/route/")
    bundle = page.locator("#route-bundle-section")
    # Each unit's choice names who receives its flow (daiban.assignment).
    bundle.locator("#id_bundle-lead_unit").select_option(
        label=f"{lead.name}（接收人：{world.lead.a_post.name}（A岗））"
    )
    bundle.get_by_label(co.name).check()
    screenshot("route")
    bundle.get_by_role("button", name="按此路径转办").click()
    page.get_by_text("已转办").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    lead_flow, co_flow = case.flows.get(unit=lead), case.flows.get(unit=co)

    # The window hands the materials to the lead unit.
    register_handover(page, "window", f"unit:{lead.pk}", [("企业开办申请书", 2), ("身份证复印件", 1)])

    # The lead unit confirms receipt and accepts its flow; it sees the co-handling flow too.
    login_as(page, world.lead.staff)
    open_case(page, case)
    to_lead = confirm_latest_handover(page)
    accept_flow(page, lead_flow, "资市监受〔2026〕1号")
    assert page.locator(f"#flow-{co_flow.pk}").is_visible()

    # The co-handling unit accepts, completes and hands its result to the lead unit.
    login_as(page, world.co.staff)
    page.goto("/admin/handling/")
    page.get_by_role("link", name=case.number).click()
    accept_flow(page, co_flow, "资税受〔2026〕2号")
    complete_flow(page, co_flow, "税务登记已完成")
    register_handover(page, f"unit:{co.pk}", f"unit:{lead.pk}", [("税务登记结果", 1)], result=True)

    # The lead unit collects the result, completes, and returns everything to the window.
    login_as(page, world.lead.staff)
    open_case(page, case)
    confirm_latest_handover(page)
    complete_flow(page, lead_flow, "营业执照已核发，税务登记已完成")
    register_handover(page, f"unit:{lead.pk}", "window", [("营业执照正本", 1), ("申请材料原件", 2)], result=True)

    # The window confirms: the results are back at the window.
    login_as(page, world.window)
    open_case(page, case)
    to_window = confirm_latest_handover(page)
    screenshot("case")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED and case.completed_at is not None
    assert set(case.flows.values_list("status", flat=True)) == {FlowStatus.COMPLETED}
    assert Handover.objects.filter(case=case, received_at__isnull=False).count() == 3
    assert to_lead.pk != to_window.pk

    # The 材料交接表 prints in the 附件6 layout.
    with page.expect_popup() as popup:
        page.locator(f"#handover-{to_window.pk}").get_by_role("link", name="打印交接表").click()
    printed = popup.value
    printed.wait_for_load_state()
    assert printed.get_by_role("heading", name="帮办代办事项所涉材料交接表").is_visible()
    assert printed.get_by_text("营业执照正本").is_visible()
    ARTIFACTS = screenshot("case").parent
    printed.screenshot(path=str(ARTIFACTS / "test_bundle_case-handover-print.png"), full_page=True)
