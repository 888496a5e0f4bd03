"""Public catalogue pages: the list's table and filters, the guide, the list index and home entries."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.documents import get_document_model

from daiban.models import HandlingForm, MatterMaterial, MatterQuestion, RegionLevel
from tests.factories import UnitFactory, city, county, matter, matter_list

pytestmark = pytest.mark.django_db


def make_document(title, name="form.txt"):
    document = get_document_model()(title=title)
    document.file.save(name, ContentFile("申请书内容".encode()), save=True)
    return document


@pytest.fixture
def county_list():
    return matter_list(RegionLevel.COUNTY, region=county("资中县"))


def fill_list(list_page, count):
    units = [UnitFactory(name=f"资中县测试局{n}", region=list_page.region) for n in range(3)]
    for n in range(count):
        matter(
            f"测试事项{n:02d}",
            unit=units[n % 3],
            list_page=list_page,
            promised_days=n % 7,
            matter_type="行政许可" if n % 2 else "公共服务",
            category=f"分类{n % 4}",
            handling_form=[HandlingForm.ASSIST, HandlingForm.PROXY, HandlingForm.BOTH][n % 3],
        )


def titles(response):
    return [row.record.title for row in response.context["table"].paginated_rows]


def test_list_page_shows_a_sortable_paginated_table(client, county_list):
    fill_list(county_list, 30)
    response = client.get(county_list.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "资中县县级帮办代办事项清单" in html and "共 30 项" in html
    assert len(titles(response)) == 25
    assert len(titles(client.get(county_list.url, {"page": 2}))) == 5

    by_days = client.get(county_list.url, {"sort": "-promised_days"})
    days = [row.record.promised_days for row in by_days.context["table"].paginated_rows]
    assert days == sorted(days, reverse=True)
    assert 'aria-sort="descending"' in by_days.content.decode()
    assert "即办" in client.get(county_list.url, {"sort": "promised_days"}).content.decode()


def test_list_page_filters(client, county_list):
    fill_list(county_list, 12)
    unit = county_list.get_children().specific().first().unit
    assert set(titles(client.get(county_list.url, {"unit": unit.pk}))) == {f"测试事项{n:02d}" for n in range(0, 12, 3)}
    assert all(
        row.record.matter_type == "行政许可"
        for row in client.get(county_list.url, {"matter_type": "行政许可"}).context["table"].paginated_rows
    )
    assert len(titles(client.get(county_list.url, {"category": "分类1"}))) == 3
    # 帮办 includes the matters offered both ways
    assisted = client.get(county_list.url, {"handling_form": HandlingForm.ASSIST})
    assert {row.record.handling_form for row in assisted.context["table"].paginated_rows} == {"assist", "both"}
    assert len(titles(assisted)) == 8
    assert client.get(county_list.url, {"category": "不存在"}).status_code == 200


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_page_query_count_does_not_grow_with_matters(client, county_list):
    other = matter_list(RegionLevel.COUNTY, region=county("东兴区"))
    fill_list(county_list, 2)
    fill_list(other, 30)
    count_queries(client, county_list.url)  # warm caches (site root, content types)
    assert count_queries(client, county_list.url) == count_queries(client, other.url)


def test_guide_page_has_the_eight_sections_downloads_and_apply_button(client, county_list):
    page = matter("城镇职工基本养老保险关系转移接续", list_page=county_list, materials=["居民身份证", "参保缴费凭证"])
    page.application_form = make_document("养老保险关系转移申请表")
    page.sample_text = make_document("申请表示范文本")
    page.conditions = "<p>已在原参保地参保缴费。</p>"
    page.process = [("step", {"name": "申请", "description": "到窗口提交材料", "handled_by": "", "time_limit": "即办"})]
    page.save_revision().publish()

    response = client.get(page.url)
    html = response.content.decode()
    for heading in ["基本信息", "申请材料", "受理条件", "办理流程", "收费标准", "设定依据", "中介服务", "常见问题"]:
        assert heading in html
    assert "居民身份证" in html and "参保缴费凭证" in html
    assert "已在原参保地参保缴费。" in html and "到窗口提交材料" in html
    assert "不收费" in html
    assert f'href="/apply/?matter={page.id}"' in html and "申请帮办代办" in html
    assert "申请书：养老保险关系转移申请表" in html and "示范文本：申请表示范文本" in html
    document_url = page.application_form.url
    download = client.get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "申请书内容"
    assert "css/catalogue.css" in html


def test_guide_query_count_does_not_grow_with_materials(client, county_list):
    few = matter("事项甲", list_page=county_list, materials=["材料1", "材料2"])
    many = matter("事项乙", list_page=county_list, materials=[f"材料{n}" for n in range(20)])
    for page in (few, many):
        page.questions.add(MatterQuestion(question="要本人到场吗？", answer="需要。"))
        page.application_form = make_document(f"{page.title}申请书")
        page.save_revision().publish()
    count_queries(client, few.url)
    assert count_queries(client, few.url) == count_queries(client, many.url)
    assert MatterMaterial.objects.filter(page=many).count() == 20


def test_list_download_is_the_list_as_a_workbook(client, county_list):
    matter("失业保险金申领", list_page=county_list)
    html = client.get(county_list.url).content.decode()
    export_url = reverse("daiban:matter_list_export", args=[county_list.pk])
    assert "下载清单" in html and f'href="{export_url}"' in html
    response = client.get(export_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


def test_list_index_and_home_page_navigate_by_level_and_region(client, county_list):
    city_list = matter_list(RegionLevel.CITY, region=city())
    draft = matter_list(RegionLevel.TOWN, region=county("东兴区"), title="未公布的镇级清单")
    draft.unpublish()
    index = client.get("/matters/").content.decode()
    assert index.index("市级清单") < index.index("县级清单")
    assert city_list.title in index and county_list.title in index
    assert "未公布的镇级清单" not in index

    home = client.get("/").content.decode()
    for area in [
        "企业开办",
        "工程建设审批",
        "不动产交易登记",
        "住房公积金",
        "社会保障",
        "税务",
        "一件事一次办",
        "水电气信",
    ]:
        assert area in home
    assert county_list.title in home
    assert 'href="/search/"' in home and 'href="/matters/"' in home
