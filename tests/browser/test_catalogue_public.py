"""A visitor filters a list, searches, opens a guide and downloads a document."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from daiban.models import HandlingForm, MatterMaterial, MatterQuestion, RegionLevel
from tests.factories import UnitFactory, county, matter, matter_list

# serialized_rollback: the pages, site and groups made by migrations are back for the next test after the flush.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


@pytest.fixture
def catalogue():
    zizhong = county("资中县")
    rsj = UnitFactory(name="资中县人力资源和社会保障局", region=zizhong)
    scjg = UnitFactory(name="资中县市场监督管理局", region=zizhong)
    county_list = matter_list(RegionLevel.COUNTY, region=zizhong)
    pension = matter(
        "城镇职工基本养老保险关系转移接续",
        unit=rsj,
        list_page=county_list,
        promised_days=15,
        matter_type="公共服务",
        category="社会保险类",
    )
    for name in ["居民身份证", "社会保障卡", "参保缴费凭证"]:
        pension.materials.add(MatterMaterial(name=name, copies=1))
    pension.questions.add(MatterQuestion(question="办理需要本人到场吗？", answer="代办时不需要。"))
    pension.conditions = "<p>已在原参保地参保缴费。</p>"
    document = get_document_model()(title="养老保险关系转移接续申请表")
    document.file.save("shenqingbiao.txt", ContentFile("养老保险关系转移接续申请表".encode()), save=True)
    pension.application_form = document
    pension.save_revision().publish()
    matter("失业保险金申领", unit=rsj, list_page=county_list, promised_days=0, handling_form=HandlingForm.PROXY)
    matter("企业设立登记", unit=scjg, list_page=county_list, promised_days=1, category="企业开办类")
    return {"list": county_list, "pension": pension}


def test_visitor_filters_searches_opens_a_guide_and_downloads(page, screenshot, catalogue):
    page.goto(catalogue["list"].url)
    table = page.locator("table.matter-table")
    assert table.locator("tbody tr").count() == 3

    page.get_by_label("单位").select_option(label="资中县人力资源和社会保障局")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert table.locator("tbody tr").count() == 2
    assert "企业设立登记" not in table.inner_text()
    screenshot("list-filtered")

    page.get_by_role("link", name="搜索", exact=True).click()
    page.get_by_label("事项名称或关键词").fill("养老保险")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state()
    results = page.locator(".result-list li")
    assert results.count() == 1
    assert "资中县人力资源和社会保障局" in results.inner_text() and "县级" in results.inner_text()
    screenshot("search")

    page.get_by_role("link", name="城镇职工基本养老保险关系转移接续").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="二、申请材料").is_visible()
    assert page.locator("article.guide").get_by_role("link", name="申请帮办代办").first.get_attribute("href") == (
        f"/apply/?matter={catalogue['pension'].id}"
    )
    screenshot("guide")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="申请书：养老保险关系转移接续申请表").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.read() == "养老保险关系转移接续申请表"

    # the printed guide (A4) is the online one without the site's navigation
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".guide-toc").is_visible()
    assert page.get_by_role("heading", name="一、基本信息").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
