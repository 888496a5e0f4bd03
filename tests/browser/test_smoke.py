import pytest

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def test_home_page_renders_chinese(page, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="跳到主要内容").count() == 1
    screenshot("home")
