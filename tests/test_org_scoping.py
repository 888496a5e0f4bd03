"""A county's staff see and change only their own county's organisation records, tried through the admin URLs."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from daiban.models import Liaison, Region, RegionLevel, ServiceCentre, StaffProfile, Unit
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF
from tests.factories import (
    CentreFactory,
    LiaisonFactory,
    UnitFactory,
    UserFactory,
    city,
    county,
    make_region,
    staff_user,
)

pytestmark = pytest.mark.django_db


def url(model, name, *args):
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


class Counties:
    """资中县 and 东兴区, each with a town, a centre, a unit, a liaison and a bureau account."""

    def __init__(self):
        self.zizhong = county("资中县")
        self.dongxing = county("东兴区")
        self.zz_town = make_region("水南镇", RegionLevel.TOWN, parent=self.zizhong)
        self.dx_town = make_region("西林街道", RegionLevel.TOWN, parent=self.dongxing)
        self.zz_centre = CentreFactory(name="资中县政务服务中心", region=self.zizhong)
        self.dx_centre = CentreFactory(name="东兴区政务服务中心", region=self.dongxing)
        self.zz_unit = UnitFactory(name="资中县市场监督管理局", region=self.zizhong)
        self.dx_unit = UnitFactory(name="东兴区市场监督管理局", region=self.dongxing)
        self.zz_liaison = LiaisonFactory(name="张演示", unit=self.zz_unit, region=self.zizhong)
        self.dx_liaison = LiaisonFactory(name="李示例", unit=self.dx_unit, region=self.dongxing)
        self.zz_bureau = staff_user(COUNTY_BUREAU, region=self.zizhong, username="zz_bureau")
        self.dx_bureau = staff_user(COUNTY_BUREAU, region=self.dongxing, username="dx_bureau")

    def own_and_other(self, model):
        """(a 资中县 record, a 东兴区 record) of the model."""
        return {
            Region: (self.zz_town, self.dx_town),
            ServiceCentre: (self.zz_centre, self.dx_centre),
            Unit: (self.zz_unit, self.dx_unit),
            Liaison: (self.zz_liaison, self.dx_liaison),
            StaffProfile: (self.zz_bureau.staff_profile, self.dx_bureau.staff_profile),
        }[model]


@pytest.fixture
def world():
    return Counties()


@pytest.fixture
def zizhong_client(client, world):
    client.force_login(world.zz_bureau)
    return client


SCOPED = [Region, ServiceCentre, Unit, Liaison, StaffProfile]


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_listing_shows_only_own_county(zizhong_client, world, model):
    own, other = world.own_and_other(model)
    response = zizhong_client.get(url(model, "list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert listed_as(own) in html
    assert listed_as(other) not in html


def listed_as(obj):
    return getattr(obj, "name", None) or str(obj)


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["edit", "delete", "history", "usage"])
def test_other_countys_record_urls_answer_404(zizhong_client, world, model, view):
    own, other = world.own_and_other(model)
    assert zizhong_client.get(url(model, view, other.pk)).status_code == 404
    assert zizhong_client.get(url(model, view, own.pk)).status_code in (200, 302)


def test_inspect_of_other_countys_liaison_answers_404(zizhong_client, world):
    assert zizhong_client.get(url(Liaison, "inspect", world.dx_liaison.pk)).status_code == 404
    assert zizhong_client.get(url(Liaison, "inspect", world.zz_liaison.pk)).status_code == 200


def liaison_form(liaison, **changes):
    data = {
        "region": liaison.region_id,
        "unit": liaison.unit_id,
        "centre": "",
        "name": liaison.name,
        "title": liaison.title,
        "phone": liaison.phone,
        "post": liaison.post,
        "is_active": "on",
        "user": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_posting_an_edit_of_other_countys_liaison_changes_nothing(zizhong_client, world):
    other = world.dx_liaison
    response = zizhong_client.post(url(Liaison, "edit", other.pk), liaison_form(other, name="改名"))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "李示例"


def test_posting_a_delete_of_other_countys_records_deletes_nothing(zizhong_client, world):
    for model in SCOPED:
        own, other = world.own_and_other(model)
        assert zizhong_client.post(url(model, "delete", other.pk)).status_code == 404
        assert model.objects.filter(pk=other.pk).exists()


def test_bulk_delete_skips_other_countys_liaison(zizhong_client, world):
    bulk_url = reverse("wagtail_bulk_action", args=("daiban", "liaison", "delete"))
    zizhong_client.post(f"{bulk_url}?id={world.dx_liaison.pk}&id={world.zz_liaison.pk}")
    assert Liaison.objects.filter(pk=world.dx_liaison.pk).exists()
    assert not Liaison.objects.filter(pk=world.zz_liaison.pk).exists()


def test_own_liaison_cannot_be_moved_into_other_county(zizhong_client, world):
    own = world.zz_liaison
    response = zizhong_client.post(
        url(Liaison, "edit", own.pk), liaison_form(own, region=world.dongxing.pk, unit=world.dx_unit.pk)
    )
    assert response.status_code == 200  # the form again, with errors
    own.refresh_from_db()
    assert own.region == world.zizhong
    assert own.unit == world.zz_unit


def test_form_offers_only_own_regions_units_and_centres(zizhong_client, world):
    html = zizhong_client.get(url(Liaison, "add")).content.decode()
    assert "资中县市场监督管理局" in html and "水南镇" in html
    assert "东兴区" not in html and "西林街道" not in html


def test_own_liaison_can_be_edited(zizhong_client, world):
    own = world.zz_liaison
    response = zizhong_client.post(url(Liaison, "edit", own.pk), liaison_form(own, title="副科长"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "副科长"


def test_liaison_with_unit_of_another_region_is_refused(zizhong_client, world):
    response = zizhong_client.post(
        url(Liaison, "add"),
        liaison_form(world.zz_liaison, region=world.zz_town.pk, name="王测试", phone="13800000077"),
    )
    assert response.status_code == 200
    assert "不属于地区" in response.content.decode()
    assert not Liaison.objects.filter(name="王测试").exists()


def test_city_guidance_sees_every_county(client, world):
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    html = client.get(url(Liaison, "list")).content.decode()
    assert "张演示" in html and "李示例" in html
    assert client.get(url(Liaison, "edit", world.dx_liaison.pk)).status_code == 200


def test_account_without_profile_sees_nothing(client, world):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=COUNTY_BUREAU))
    client.force_login(user)
    html = client.get(url(Liaison, "list")).content.decode()
    assert "张演示" not in html and "李示例" not in html
    assert client.get(url(Liaison, "edit", world.zz_liaison.pk)).status_code == 404


def test_window_staff_may_look_but_not_change(client, world):
    client.force_login(staff_user(WINDOW_STAFF, centre=world.zz_centre))
    assert client.get(url(Liaison, "list")).status_code == 200
    assert client.get(url(Liaison, "inspect", world.zz_liaison.pk)).status_code == 200
    response = client.post(url(Liaison, "edit", world.zz_liaison.pk), liaison_form(world.zz_liaison, name="改名"))
    assert response.status_code in (302, 403)
    world.zz_liaison.refresh_from_db()
    assert world.zz_liaison.name == "张演示"


def test_liaison_chooser_offers_only_own_county(zizhong_client, world):
    response = zizhong_client.get(reverse("wagtailsnippetchoosers_daiban_liaison:choose"))
    html = response.json()["html"]
    assert "张演示" in html and "李示例" not in html
    chosen = reverse("wagtailsnippetchoosers_daiban_liaison:chosen", args=[world.dx_liaison.pk])
    assert zizhong_client.get(chosen).status_code == 404
