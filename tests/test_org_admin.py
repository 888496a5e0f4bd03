"""The organisation snippets in the admin: region tree, liaison registry columns, filters, search, deletion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daiban.models import Liaison, LiaisonPost, Region, RegionLevel, StaffProfile, Unit
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU
from tests.factories import CentreFactory, LiaisonFactory, UnitFactory, city, county, make_region, staff_user

pytestmark = pytest.mark.django_db


def url(model, name, *args):
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


@pytest.fixture
def city_client(client):
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    return client


def region_form(parent, name, level):
    return {"parent": parent.pk if parent else "", "name": name, "level": level, "code": ""}


def test_city_adds_a_town_under_a_county(city_client):
    zizhong = county("资中县")
    response = city_client.post(url(Region, "add"), region_form(zizhong, "重龙镇", RegionLevel.TOWN))
    assert response.status_code == 302
    town = Region.objects.get(name="重龙镇")
    assert town.get_parent() == zizhong
    assert town.full_name == "内江市资中县重龙镇"


def test_region_level_must_be_below_its_parent(city_client):
    zizhong = county("资中县")
    response = city_client.post(url(Region, "add"), region_form(zizhong, "错层级", RegionLevel.COUNTY))
    assert response.status_code == 200
    assert "层级应低于上级区域" in response.content.decode()
    assert not Region.objects.filter(name="错层级").exists()


def test_county_bureau_adds_only_below_its_county(client):
    zizhong, dongxing = county("资中县"), county("东兴区")
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    client.post(url(Region, "add"), region_form(None, "顶级区域", RegionLevel.CITY))
    client.post(url(Region, "add"), region_form(dongxing, "田家镇", RegionLevel.TOWN))
    assert not Region.objects.filter(name__in=["顶级区域", "田家镇"]).exists()
    assert client.post(url(Region, "add"), region_form(zizhong, "水南镇", RegionLevel.TOWN)).status_code == 302
    assert Region.objects.get(name="水南镇").get_parent() == zizhong


def test_city_moves_a_region(city_client):
    zizhong, dongxing = county("资中县"), county("东兴区")
    town = make_region("球溪镇", RegionLevel.TOWN, parent=zizhong)
    response = city_client.post(url(Region, "edit", town.pk), region_form(dongxing, "球溪镇", RegionLevel.TOWN))
    assert response.status_code == 302
    assert Region.objects.get(pk=town.pk).get_parent() == dongxing


def test_region_listing_is_the_indented_tree(city_client):
    zizhong = county("资中县")
    make_region("水南镇", RegionLevel.TOWN, parent=zizhong)
    county("东兴区")
    html = city_client.get(url(Region, "list")).content.decode()
    positions = [html.index(name) for name in ["内江市", "东兴区", "资中县", "\u3000\u3000水南镇"]]
    assert positions == sorted(positions)


def test_liaison_listing_masks_phones_and_shows_the_registry_columns(city_client):
    LiaisonFactory(name="张演示", phone="13800000012", post=LiaisonPost.B, is_designated=True)
    html = city_client.get(url(Liaison, "list")).content.decode()
    assert "138****0012" in html
    assert "13800000012" not in html
    for heading in ["地区", "单位", "姓名", "职务", "联系电话", "A/B岗", "联络员", "在岗"]:
        assert heading in html
    assert "B岗" in html


def test_liaison_filters_and_search(city_client):
    LiaisonFactory(name="张演示", post=LiaisonPost.A)
    LiaisonFactory(name="李示例", post=LiaisonPost.B)
    html = city_client.get(url(Liaison, "list"), {"post": "B"}).content.decode()
    assert "李示例" in html and "张演示" not in html
    html = city_client.get(url(Liaison, "list"), {"q": "演示"}).content.decode()
    assert "张演示" in html and "李示例" not in html


def test_liaison_region_filter_includes_the_regions_below(city_client):
    zizhong = county("资中县")
    town = make_region("水南镇", RegionLevel.TOWN, parent=zizhong)
    LiaisonFactory(name="王测试", unit=UnitFactory(region=town), region=town)
    LiaisonFactory(name="赵样例", unit=UnitFactory(region=county("东兴区")))
    html = city_client.get(url(Liaison, "list"), {"region": zizhong.pk}).content.decode()
    assert "王测试" in html and "赵样例" not in html


def test_liaison_listing_query_count_does_not_grow_with_rows(city_client):
    def queries_for(count):
        Liaison.objects.all().delete()
        for _ in range(count):
            LiaisonFactory()
        with CaptureQueriesContext(connection) as context:
            assert city_client.get(url(Liaison, "list")).status_code == 200
        return len(context)

    assert queries_for(20) == queries_for(2)


def test_unit_and_staff_listings_query_count_does_not_grow_with_rows(city_client):
    centre = CentreFactory()

    def queries_for(count):
        for _ in range(count):
            unit = UnitFactory()
            unit.centres.add(centre)
            staff_user(COUNTY_BUREAU, unit=unit)
        with CaptureQueriesContext(connection) as context:
            assert city_client.get(url(Unit, "list")).status_code == 200
            assert city_client.get(url(StaffProfile, "list")).status_code == 200
        return len(context)

    assert queries_for(2) == queries_for(16)


def test_deleting_a_unit_still_referred_to_is_refused(city_client):
    liaison = LiaisonFactory()
    city_client.post(url(Unit, "delete", liaison.unit.pk))
    assert Unit.objects.filter(pk=liaison.unit.pk).exists()


def test_deleting_a_region_whose_towns_are_in_use_is_refused_with_a_message(city_client):
    zizhong = county("资中县")
    town = make_region("水南镇", RegionLevel.TOWN, parent=zizhong)
    UnitFactory(name="水南镇人民政府", region=town)
    response = city_client.post(url(Region, "delete", zizhong.pk), follow=True)
    assert response.status_code == 200
    assert "无法删除“资中县”" in response.content.decode()
    assert Region.objects.filter(pk__in=[zizhong.pk, town.pk]).count() == 2
