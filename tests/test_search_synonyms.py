"""Search that understands people: synonyms kept in the admin, matter names ranked above body text.

Run on PostgreSQL too: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> — the same tests.
"""

import importlib

import pytest
from django.apps import apps
from wagtail.search import index

from daiban.models import RegionLevel, SearchSynonym
from daiban.roles import CITY_GUIDANCE, WINDOW_STAFF
from daiban.search import build_query, parse_expansions, title_concepts
from tests.factories import UnitFactory, city, county, matter, matter_list, staff_user
from tests.intake_setup import PASSWORD, grant_admin_access

pytestmark = pytest.mark.django_db

seeding = importlib.import_module("daiban.migrations.0014_search_synonyms")


@pytest.fixture
def synonyms():
    """The seeded list (a transactional test elsewhere may have flushed the migration's rows)."""
    seeding.seed(apps, None)


@pytest.fixture
def catalogue():
    zizhong = county("资中县")
    rsj = UnitFactory(name="资中县人力资源和社会保障局", region=zizhong)
    amr = UnitFactory(name="资中县市场监督管理局", region=zizhong)
    tax = UnitFactory(name="国家税务总局资中县税务局", region=zizhong)
    town = UnitFactory(name="水南镇人民政府", region=zizhong)
    county_list = matter_list(RegionLevel.COUNTY, region=zizhong)
    city_list = matter_list(RegionLevel.CITY, region=city())
    gjj = UnitFactory(name="内江市住房公积金管理中心", region=city())
    matters = {
        "company": matter(
            "企业设立登记",
            unit=amr,
            list_page=county_list,
            category="企业开办类",
            sub_item_name="有限责任公司设立登记",
            materials=["公司章程", "股东身份证明", "住所使用证明", "法定代表人任职文件"],
            # a long guide: the search backend's relevance alone would rank the short tax matter first
            note="申请人通过全程电子化系统提交设立申请，窗口工作人员核对股东、住所、经营范围和出资情况。" * 6,
        ),
        # created after the registration (a newer page wins ties): 营业执照 is in its body text, not its name
        "tax": matter(
            "开具纳税证明",
            unit=tax,
            list_page=county_list,
            category="税务类",
            materials=["营业执照副本", "营业执照", "营业执照复印件"],
        ),
        "pension": matter("城乡居民基本养老保险参保登记", unit=rsj, list_page=county_list, category="社会保险类"),
        "injury": matter("工伤认定申请", unit=rsj, list_page=county_list, category="社会保险类"),
        "allowance": matter("高龄津贴申请", unit=town, list_page=county_list, category="民政类"),
        "fund": matter("住房公积金提取", unit=gjj, list_page=city_list, category="住房公积金类"),
    }
    for page in matters.values():  # the materials are saved after the page was first indexed
        index.insert_or_update_object(page)
    return matters


def titles(response):
    return [m.title for m in response.context["results"]]


def search(client, q):
    return titles(client.get("/search/", {"q": q}))


def test_expansions_are_parsed_from_lines_and_separators():
    assert parse_expansions("社会保险/社会保障\n 养老、高龄 ") == ["社会保险", "社会保障", "养老", "高龄"]
    assert title_concepts("老年人 津贴", {"老年人": ["养老", "高龄"]}) == [["老年人", "养老", "高龄"], ["津贴"]]
    assert build_query("社保") is not None


def test_the_seeded_list_has_the_everyday_words():
    SearchSynonym.objects.all().delete()
    seeding.seed(apps, None)
    mapping = SearchSynonym.mapping()
    assert mapping["社保"] == ["社会保险", "社会保障"]
    assert mapping["医保"] == ["医疗保障", "医疗保险"]
    assert "企业设立登记" in mapping["营业执照"]
    assert mapping["老年人"] == ["养老", "高龄", "老年"]
    assert mapping["公积金"] == ["住房公积金"]


def test_shebao_finds_social_insurance_matters(client, catalogue, synonyms):
    found = search(client, "社保")
    assert {"城乡居民基本养老保险参保登记", "工伤认定申请"} <= set(found)
    assert "开具纳税证明" not in found


def test_laonianren_finds_pension_and_old_age_matters(client, catalogue, synonyms):
    found = search(client, "老年人")
    assert {"城乡居民基本养老保险参保登记", "高龄津贴申请"} <= set(found)


def test_the_first_hit_for_yingyezhizhao_is_the_registration_matter(client, catalogue, synonyms):
    found = search(client, "营业执照")
    assert found[0] == "企业设立登记"
    assert "开具纳税证明" in found  # still found by its materials, after the name match


def test_name_matches_come_before_body_matches_without_synonyms(client, catalogue):
    SearchSynonym.objects.all().delete()
    found = search(client, "登记")
    assert found[:2] and set(found[:2]) == {"企业设立登记", "城乡居民基本养老保险参保登记"}


def test_without_the_synonym_the_everyday_word_finds_nothing(client, catalogue):
    SearchSynonym.objects.all().delete()
    assert search(client, "老年人") == []


def test_a_synonym_added_in_the_admin_applies_at_once(client, catalogue):
    grant_admin_access(CITY_GUIDANCE)
    seeding.seed(apps, None)  # grants the city's 审批指导科 the synonym permissions
    staff_user(CITY_GUIDANCE, region=city(), username="city_guide")
    assert search(client, "纳税") == ["开具纳税证明"]
    assert search(client, "完税") == []
    client.login(username="city_guide", password=PASSWORD)
    index = client.get("/admin/search-synonyms/")
    assert index.status_code == 200 and "社保" in index.content.decode()
    response = client.post("/admin/search-synonyms/add/", {"term": "完税", "expansions": "纳税证明"})
    assert response.status_code == 302
    client.logout()
    assert search(client, "完税") == ["开具纳税证明"]


def test_other_roles_may_not_edit_synonyms(client, catalogue, synonyms):
    grant_admin_access(WINDOW_STAFF)
    staff_user(WINDOW_STAFF, region=county("资中县"), username="a_window")
    client.login(username="a_window", password=PASSWORD)
    assert client.get("/admin/search-synonyms/").status_code in (302, 403)
    response = client.post("/admin/search-synonyms/add/", {"term": "完税", "expansions": "纳税证明"})
    assert response.status_code in (302, 403)
    assert not SearchSynonym.objects.filter(term="完税").exists()


def test_paging_runs_across_the_two_groups(client, catalogue, synonyms):
    for n in range(25):
        matter(f"社会保险测试事项{n:02d}", unit=catalogue["injury"].unit, list_page=catalogue["injury"].get_parent())
    first = client.get("/search/", {"q": "社保"})
    second = client.get("/search/", {"q": "社保", "page": 2})
    page1, page2 = titles(first), titles(second)
    assert len(page1) == 20 and not set(page1) & set(page2)
    assert first.context["results"].paginator.count == len(page1) + len(page2)
