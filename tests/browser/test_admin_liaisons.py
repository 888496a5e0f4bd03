"""Chromium: log into the admin, open the liaison registry from the menu, look at it."""

import pytest

from daiban.models import LiaisonPost
from tests.browser.conftest import admin_login
from tests.factories import LiaisonFactory, UnitFactory, UserFactory, county

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def test_admin_opens_the_liaison_registry(page, screenshot):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    unit = UnitFactory(name="资中县人力资源和社会保障局", region=county("资中县"))
    LiaisonFactory(name="张演示", unit=unit, title="科长", phone="13800000001", is_designated=True)
    LiaisonFactory(name="李示例", unit=unit, title="科员", phone="13800000002", post=LiaisonPost.B)

    admin_login(page, "admin", "pass-word-123")
    page.get_by_role("button", name="组织机构").click()
    page.get_by_role("link", name="帮办代办员及联络员").click()
    page.wait_for_url("**/admin/org/liaisons/")

    assert page.get_by_role("heading", name="帮办代办员及联络员").first.is_visible()
    table = page.locator("table.listing")
    assert table.get_by_text("张演示").is_visible()
    assert table.get_by_text("138****0001").is_visible()
    assert "13800000001" not in table.inner_text()
    assert page.get_by_role("link", name="导出附件2").is_visible()
    screenshot("registry")

    page.get_by_role("link", name="张演示").click()
    page.wait_for_url("**/admin/org/liaisons/edit/*/")
    assert page.get_by_role("textbox", name="联系电话").input_value() == "13800000001"
    screenshot("edit")
