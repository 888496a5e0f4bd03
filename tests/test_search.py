"""Chinese search: words inside longer names are found (segmented, not substrings), on SQLite and PostgreSQL.

Run on PostgreSQL with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> — the same tests.
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from daiban.models import MatterPage, RegionLevel
from daiban.roles import CITY_GUIDANCE
from daiban.search import build_query, index_terms, query_terms
from tests.factories import UnitFactory, city, county, matter, matter_list, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    zizhong = county("资中县")
    rsj = UnitFactory(name="资中县人力资源和社会保障局", region=zizhong)
    gjj = UnitFactory(name="内江市住房公积金管理中心", region=city())
    county_list = matter_list(RegionLevel.COUNTY, region=zizhong)
    city_list = matter_list(RegionLevel.CITY, region=city())
    return {
        "pension": matter("城镇职工基本养老保险关系转移接续", unit=rsj, list_page=county_list),
        "fund": matter("住房公积金提取", unit=gjj, list_page=city_list, sub_item_name="离退休提取"),
        "unemployment": matter("失业保险金申领", unit=rsj, list_page=county_list),
        "company": matter(
            "企业设立登记",
            unit=UnitFactory(name="资中县市场监督管理局", region=zizhong),
            list_page=county_list,
            category="企业开办类",
        ),
    }


def titles(response):
    return [m.title for m in response.context["results"]]


def test_segmentation_finds_the_words_of_a_name():
    assert {"养老", "保险", "养老保险"} <= set(index_terms("城镇职工基本养老保险关系转移接续"))
    assert {"公积金", "提取", "住房公积金"} <= set(index_terms("住房公积金提取"))
    assert set(query_terms("公积金提取")) <= set(index_terms("住房公积金提取"))
    assert build_query("  ，。 ") is None


def test_a_word_inside_a_longer_name_is_found(client, catalogue):
    response = client.get("/search/", {"q": "养老保险"})
    assert titles(response) == ["城镇职工基本养老保险关系转移接续"]
    html = response.content.decode()
    assert "资中县人力资源和社会保障局" in html and "县级" in html

    assert titles(client.get("/search/", {"q": "公积金提取"})) == ["住房公积金提取"]


def test_words_are_segmented_not_matched_as_substrings(client, catalogue):
    # "老保" is inside 养老保险 as characters, but it is not a word of it
    assert titles(client.get("/search/", {"q": "老保"})) == []
    # every word must be there: 养老 and 提取 are never in one matter
    assert titles(client.get("/search/", {"q": "养老 提取"})) == []


def test_search_finds_by_unit_and_category(client, catalogue):
    assert set(titles(client.get("/search/", {"q": "人力资源"}))) == {
        "城镇职工基本养老保险关系转移接续",
        "失业保险金申领",
    }
    assert titles(client.get("/search/", {"q": "企业开办"})) == ["企业设立登记"]


def test_results_can_be_narrowed_by_level(client, catalogue):
    assert titles(client.get("/search/", {"q": "提取", "level": RegionLevel.CITY})) == ["住房公积金提取"]
    assert titles(client.get("/search/", {"q": "提取", "level": RegionLevel.COUNTY})) == []


def test_unpublished_matters_are_not_found(client, catalogue):
    catalogue["fund"].unpublish()
    assert titles(client.get("/search/", {"q": "公积金"})) == []


def test_search_page_without_query_and_with_odd_input(client, catalogue):
    assert client.get("/search/").status_code == 200
    response = client.get("/search/", {"q": '"养老*( OR'})
    assert response.status_code == 200
    assert client.get("/search/", {"q": "养老保险", "page": "99"}).status_code == 200


def test_admin_page_search_finds_the_same(client, catalogue):
    user = staff_user(CITY_GUIDANCE, region=city())
    client.force_login(user)
    assert Group.objects.get(name=CITY_GUIDANCE).page_permissions.exists()
    for query, title in [("养老保险", "城镇职工基本养老保险关系转移接续"), ("公积金提取", "住房公积金提取")]:
        response = client.get("/admin/pages/search/", {"q": query})
        assert response.status_code == 200
        assert title in response.content.decode(), query


def test_wagtail_search_api_segments_queries(catalogue):
    found = MatterPage.objects.live().search("公积金提取")
    assert [m.title for m in found] == ["住房公积金提取"]
    assert [p.specific.title for p in Page.objects.live().autocomplete("养老保险")] == [
        "城镇职工基本养老保险关系转移接续"
    ]
