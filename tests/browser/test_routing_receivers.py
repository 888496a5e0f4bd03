"""Chromium: the window's routing form names who receives each unit's flow, and a unit nobody can log in
for is refused with its name while what the clerk typed stays on the form."""

import pytest

from daiban.models import CaseStatus, LiaisonPost
from tests.browser.conftest import admin_login
from tests.factories import LiaisonFactory, UnitFactory
from tests.handling_setup import World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PASSWORD = "pass-word-123"


def test_the_routing_form_shows_receivers_and_refuses_a_unit_nobody_can_log_in_for(page, screenshot):
    world = World()
    finance = UnitFactory(name="县财政局", region=world.centre.region)
    LiaisonFactory(unit=finance, post=LiaisonPost.A, name="财政甲")
    case = world.accepted_case()

    admin_login(page, world.window.username, PASSWORD)
    page.goto(f"/admin/handling/cases/{case.pk}/route/")
    single = page.locator("#id_single-unit")
    options = single.locator("option").all_inner_texts()
    assert f"{world.lead.unit.name}（接收人：{world.lead.a_post.name}（A岗））" in options
    assert "县财政局（无可登录的帮办代办员，不能转办）" in options
    screenshot("form")

    single.select_option(str(finance.pk))
    page.fill("#id_single-note", "申请人急需，请加快办理")
    page.locator("form:has(input[name=route][value=single])").get_by_role("button", name="按此路径转办").click()
    page.get_by_text("不能转办：县财政局").wait_for()
    assert page.locator("#id_single-note").input_value() == "申请人急需，请加快办理"
    assert single.input_value() == str(finance.pk)
    screenshot("refused")

    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.flows.exists()

    single.select_option(str(world.lead.unit.pk))
    page.locator("form:has(input[name=route][value=single])").get_by_role("button", name="按此路径转办").click()
    page.get_by_text("已转办，相关单位已收到通知。").wait_for()
    assert case.flows.get().assignee == world.lead.a_post
