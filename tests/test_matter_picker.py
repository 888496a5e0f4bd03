"""The matter picker of /apply/ and window registration (daiban.matter_picker): a bounded search of live matters,
grouped by unit, every option reading differently; a no-JavaScript path that keeps what was typed; the JSON
endpoint; a guide's matter chosen in advance; and a page whose size does not grow with the catalogue."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from daiban.matter_picker import PICKER_LIMIT, find_matters
from daiban.models import Case, RegionLevel, SearchSynonym, Unit
from tests.factories import UnitFactory, city, matter, matter_list
from tests.intake_setup import PASSWORD, World, apply_post, pdf_upload

pytestmark = pytest.mark.django_db

FUND = "资中县住房公积金管理中心"


@pytest.fixture
def world():
    return World()


@pytest.fixture
def fund(world):
    """住房公积金提取 four times with sub-items, once more in the city's list, once at another unit."""
    county_list = world.matter.get_parent().specific
    unit = UnitFactory(name=FUND, region=world.zizhong)
    subs = ["购房提取", "租房提取", "退休提取", "偿还住房贷款本息提取"]
    matters = {sub: matter("住房公积金提取", unit=unit, list_page=county_list, sub_item_name=sub) for sub in subs}
    city_list = matter_list(RegionLevel.CITY, region=city())
    matters["city"] = matter("住房公积金提取", unit=unit, list_page=city_list, sub_item_name="购房提取")
    other = UnitFactory(name="内江市住房公积金管理中心资中管理部", region=world.zizhong)
    matters["other"] = matter("住房公积金提取", unit=other, list_page=county_list, sub_item_name="租房提取")
    hidden = matter("住房公积金缴存基数调整", unit=unit, list_page=county_list)
    hidden.unpublish()
    matters["hidden"] = hidden
    return matters


def endpoint(client, q):
    response = client.get("/apply/matters/", {"q": q})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def labels(data):
    return [option["label"] for group in data["groups"] for option in group["options"]]


def test_matches_are_grouped_by_unit_with_sub_items_and_no_two_read_the_same(client, fund):
    data = endpoint(client, "公积金")

    assert [group["unit"] for group in data["groups"]] == [FUND, "内江市住房公积金管理中心资中管理部"]
    found = labels(data)
    assert len(found) == len(set(found)) == data["count"] == 6
    assert "住房公积金提取 — 退休提取" in found and "住房公积金提取 — 偿还住房贷款本息提取" in found
    # The same name twice at one unit: the lists tell them apart; the same name at two units: the units do.
    assert f"住房公积金提取 — 购房提取（{FUND}，资中县·县级清单）" in found
    assert f"住房公积金提取 — 购房提取（{FUND}，内江市·市级清单）" in found
    assert f"住房公积金提取 — 租房提取（{FUND}）" in found
    assert "住房公积金提取 — 租房提取（内江市住房公积金管理中心资中管理部）" in found
    full = {option["id"]: option["full_label"] for group in data["groups"] for option in group["options"]}
    assert full[fund["退休提取"].pk] == f"住房公积金提取 — 退休提取（{FUND}，资中县·县级清单）"
    assert set(data) == {"query", "count", "truncated", "groups"}


def test_endpoint_offers_only_live_matters(client, fund):
    data = endpoint(client, "住房公积金")
    ids = {option["id"] for group in data["groups"] for option in group["options"]}
    assert fund["hidden"].pk not in ids and fund["退休提取"].pk in ids
    assert endpoint(client, "缴存基数")["count"] == 0
    assert endpoint(client, "")["count"] == 0 and endpoint(client, "   ")["groups"] == []


def test_endpoint_is_capped_and_says_so(client, world):
    county_list = world.matter.get_parent().specific
    for n in range(PICKER_LIMIT + 3):
        matter(f"公积金测试事项{n:02d}", unit=world.unit, list_page=county_list)
    with CaptureQueriesContext(connection) as queries:
        data = endpoint(client, "公积金")
    assert data["count"] == PICKER_LIMIT and data["truncated"] is True
    assert len(labels(data)) == PICKER_LIMIT
    assert len(queries) <= 6
    assert endpoint(client, "公积金测试事项01")["truncated"] is False


def test_search_uses_segmentation_and_synonyms(client, world):
    """Words in another order are found through the segmented index; 农保 through its synonym."""
    assert world.matter.pk in find_matters("养老保险 参保").ids()
    assert world.matter.pk in find_matters("参保登记养老").ids()
    assert find_matters("农保").count == 0
    SearchSynonym.objects.create(term="农保", expansions="城乡居民基本养老保险/新农保")
    assert world.matter.pk in find_matters("农保").ids()


def test_without_javascript_finding_a_matter_keeps_everything_typed(client, world, fund, settings, tmp_path):
    settings.PENDING_UPLOADS_ROOT = tmp_path / "pending"
    data = apply_post(world, matter="", matter_q="公积金 退休", find_matter="1", description="我要提取公积金")
    data["files"] = [pdf_upload("身份证.pdf")]
    response = client.post("/apply/", data)
    html = response.content.decode()

    assert response.status_code == 200 and Case.objects.count() == 0
    assert 'id="error-summary"' not in html and "errorlist" not in html
    assert 'value="王建国"' in html and "我要提取公积金" in html and 'value="公积金 退休"' in html
    assert "1 个文件已保留" in html  # the file chosen before pressing 查找事项 is kept
    found = re.findall(r'<input type="radio" name="matter" value="(\d+)" id="id_matter_r\d+"> ([^<]+)</label>', html)
    assert found == [(str(fund["退休提取"].pk), "住房公积金提取 — 退休提取")]
    assert f"<legend>{FUND}</legend>" in html
    assert 'id="id_matter_none" checked' in html

    # The person ticks the match and sends the form: the request is stored with the matter.
    data = apply_post(world, matter=str(fund["退休提取"].pk), matter_q="公积金 退休")
    response = client.post("/apply/", data)
    assert response.status_code == 302
    assert Case.objects.get().matter == fund["退休提取"]


def test_finding_nothing_says_so_and_a_free_text_matter_still_works(client, world):
    response = client.post("/apply/", apply_post(world, matter="", matter_q="火星移民", find_matter="1"))
    assert "没有找到与“火星移民”相符的事项" in response.content.decode()
    response = client.post("/apply/", apply_post(world, matter="", matter_q="火星移民", matter_text="火星移民登记"))
    assert response.status_code == 302 and Case.objects.get().matter_text == "火星移民登记"


def test_a_chosen_matter_stays_chosen_by_its_full_label(client, world, fund):
    chosen = fund["租房提取"]
    response = client.post("/apply/", apply_post(world, matter=str(chosen.pk), matter_q="养老", find_matter="1"))
    html = response.content.decode()
    assert f'value="{chosen.pk}" id="id_matter_chosen" checked' in html
    assert f"已选择：住房公积金提取 — 租房提取（{FUND}，资中县·县级清单）" in html
    assert f'id="id_matter_r{world.matter.pk}"' in html  # and the new matches to choose instead


def test_an_offline_or_forged_matter_is_refused_with_the_input_kept(client, world, fund):
    response = client.post("/apply/", apply_post(world, matter=str(fund["hidden"].pk), applicant_name="李四"))
    html = response.content.decode()
    assert response.status_code == 400 and Case.objects.count() == 0
    assert "所选事项不存在或已下线，请重新选择。" in html and 'href="#id_matter"' in html and 'value="李四"' in html


def test_guide_button_chooses_the_matter(client, world):
    response = client.get(f"/apply/?matter={world.matter.pk}")
    html = response.content.decode()
    label = "城乡居民基本养老保险参保登记（资中县社会保险事业管理局，资中县·县级清单）"
    assert f"您正在申请办理：<strong>{label}</strong>" in html
    assert f'value="{world.matter.pk}" id="id_matter_chosen" checked' in html
    assert client.get("/apply/?matter=999999").status_code == 200


def grow_catalogue(world, count):
    unit = Unit.objects.get_or_create(name="资中县市场监督管理局", region=world.zizhong)[0]
    county_list = world.matter.get_parent().specific
    for n in range(count):
        matter(f"企业登记事项{n:03d}", unit=unit, list_page=county_list, sub_item_name=f"子项{n:03d}")


def measure(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(response.content), len(queries)


@pytest.mark.parametrize("url", ["/apply/", "guide"])
def test_apply_page_does_not_grow_with_the_catalogue(client, world, url):
    url = f"/apply/?matter={world.matter.pk}" if url == "guide" else url
    grow_catalogue(world, 8)
    measure(client, url)  # the first request also reads the site and caches it
    size, count = measure(client, url)
    grow_catalogue(world, 32)  # five times as many matters
    bigger, bigger_count = measure(client, url)
    assert bigger_count == count
    assert abs(bigger - size) <= 64, (size, bigger)
    assert size < 40_000


def test_window_registration_uses_the_picker(client, world, fund):
    client.login(username="zz_window", password=PASSWORD)
    page = client.get("/admin/cases/register/").content.decode()
    assert (
        'id="matter-picker"' in page and "matter-picker.js" in page and f'<option value="{world.matter.pk}"' not in page
    )

    data = apply_post(world, channel="window", matter="", matter_q="退休提取", find_matter="1", applicant_name="赵六")
    data.pop("website")
    response = client.post("/admin/cases/register/", data)
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0 and 'value="赵六"' in html
    assert f'id="id_matter_r{fund["退休提取"].pk}"' in html

    data.pop("find_matter")
    data["matter"] = str(fund["退休提取"].pk)
    response = client.post("/admin/cases/register/", data)
    assert response.status_code == 302 and Case.objects.get().matter == fund["退休提取"]


def test_matters_of_an_unpublished_list_are_not_offered(client, world, fund):
    fund["city"].get_parent().unpublish()
    fund["city"].refresh_from_db()
    assert fund["city"].live  # the matter itself is still live: the list decides
    data = endpoint(client, "购房提取")
    ids = [option["id"] for group in data["groups"] for option in group["options"]]
    assert ids == [fund["购房提取"].pk]
    assert labels(data) == ["住房公积金提取 — 购房提取"]  # alone now: nothing to tell it apart from
    response = client.post("/apply/", apply_post(world, matter=str(fund["city"].pk)))
    assert response.status_code == 400 and "所选事项不存在或已下线" in response.content.decode()
