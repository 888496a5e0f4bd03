"""The matter picker in Chromium: type 公积金, choose a matter with the keyboard from the listbox grouped by
unit, send the request; the same without JavaScript (Enter in the search field finds, a radio chooses); and
the window's registration form with the same picker."""

import pytest

from daiban.models import Case, Unit
from tests.browser.conftest import ARTIFACTS, admin_login
from tests.browser.test_accessibility import (
    CONTRAST_JS,
    DESKTOP,
    PHONE,
    REFLOW_JS,
    TARGETS_JS,
    assert_accessible,
    unnamed_in_accessibility_tree,
)
from tests.factories import matter
from tests.intake_setup import PASSWORD, World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

FUND = "资中县住房公积金管理中心"
SUBS = ["购房提取", "租房提取", "退休提取", "偿还住房贷款本息提取"]


def catalogue():
    world = World()
    county_list = world.matter.get_parent().specific
    unit = Unit.objects.create(name=FUND, region=world.zizhong)
    world.fund = {sub: matter("住房公积金提取", unit=unit, list_page=county_list, sub_item_name=sub) for sub in SUBS}
    return world


def fill_applicant(page, centre=True):
    page.get_by_label("企业名称或群众姓名").fill("王建国")
    page.get_by_label("联系人员").fill("王建国")
    page.get_by_label("联系电话").fill("13800001234")
    if centre:
        page.get_by_label("办理的服务中心").select_option(label="资中县政务服务中心")


def test_type_choose_with_the_keyboard_and_send(page, screenshot):
    world = catalogue()
    page.goto("/apply/")
    fill_applicant(page)
    box = page.get_by_role("combobox", name="查找事项")
    box.focus()
    page.keyboard.type("公积金")
    listbox = page.get_by_role("listbox", name="找到的事项")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() == 4
    assert listbox.get_by_role("group", name=FUND).count() == 1
    assert options.all_inner_texts() == [f"住房公积金提取 — {sub}" for sub in SUBS]
    assert page.get_by_role("status").inner_text().startswith("找到 4 项")
    for option in options.all():
        assert option.bounding_box()["height"] >= 44
    # The open list: names, contrast, 44 px targets and no sideways scrolling on a phone.
    problems = unnamed_in_accessibility_tree(page) + page.evaluate(CONTRAST_JS)
    page.set_viewport_size(PHONE)
    problems += page.evaluate(TARGETS_JS) + [page.evaluate(REFLOW_JS) or ""]
    screenshot("listbox-phone")
    page.set_viewport_size(DESKTOP)
    assert not [problem for problem in problems if problem], problems
    assert box.evaluate("el => el === document.activeElement")

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the third: 退休提取
    active = box.get_attribute("aria-activedescendant")
    assert active == f"matter-option-{world.fund['退休提取'].pk}"
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    screenshot("listbox-open")

    page.keyboard.press("Enter")  # chooses; does not send the form
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/apply/")
    chosen = page.get_by_label(f"已选择：住房公积金提取 — 退休提取（{FUND}，资中县·县级清单）")
    assert chosen.is_checked()
    assert box.input_value() == "住房公积金提取 — 退休提取"

    # Esc closes the list without choosing anything else.
    page.keyboard.press("ArrowDown")
    listbox.wait_for()
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and chosen.is_checked()
    screenshot("chosen")
    assert_accessible(page, "matter-picker-chosen")

    page.get_by_label("我同意帮办代办窗口").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt/**")
    case = Case.objects.get()
    assert case.matter == world.fund["退休提取"] and case.applicant_name == "王建国"


def test_without_javascript_enter_finds_and_a_radio_chooses(browser, live_server):
    world = catalogue()
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto("/apply/")
        fill_applicant(page)
        search = page.get_by_label("查找事项", exact=True)
        search.fill("公积金 租房")
        search.press("Enter")  # the first submit button of the form: 查找事项
        page.get_by_text("与“公积金 租房”相符的事项共 1 项").wait_for()
        assert page.get_by_label("企业名称或群众姓名").input_value() == "王建国"
        assert page.locator("#error-summary").count() == 0
        page.get_by_label("住房公积金提取 — 租房提取").check()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "matter-picker-without-javascript.png"), full_page=True)
        page.get_by_label("我同意帮办代办窗口").check()
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**/apply/receipt/**")
        assert Case.objects.get().matter == world.fund["租房提取"]
    finally:
        context.close()


def test_window_registration_picks_with_the_keyboard(page, screenshot):
    world = catalogue()
    admin_login(page, "zz_window", PASSWORD)
    page.goto("/admin/cases/register/")
    box = page.get_by_role("combobox", name="查找事项")
    box.fill("购房")
    page.get_by_role("option", name="住房公积金提取 — 购房提取").wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    assert page.get_by_label(f"已选择：住房公积金提取 — 购房提取（{FUND}，资中县·县级清单）").is_checked()
    screenshot("window-registration")
    fill_applicant(page, centre=False)
    page.get_by_label("已告知申请人个人信息的用途").check()
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url("**/admin/cases/*/")
    assert Case.objects.get().matter == world.fund["购房提取"]
