"""The catalogue as read-only JSON through Wagtail's API v2."""

import pytest

from daiban.models import MatterMaterial, RegionLevel
from tests.factories import UnitFactory, county, matter, matter_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    unit = UnitFactory(name="资中县人力资源和社会保障局", region=county("资中县"))
    page = matter("失业保险金申领", unit=unit, list_page=matter_list(RegionLevel.COUNTY), promised_days=0)
    page.materials.add(MatterMaterial(name="居民身份证", copies=2, form="copy"))
    page.save_revision().publish()
    hidden = matter("未公布事项", unit=unit)
    hidden.unpublish()
    return page


def test_matters_are_listed_with_their_catalogue_fields(client, published):
    response = client.get("/api/v2/pages/", {"type": "daiban.MatterPage", "fields": "*"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["title"] for item in items] == ["失业保险金申领"]
    item = items[0]
    assert item["unit_name"] == "资中县人力资源和社会保障局"
    assert item["promised_days"] == 0 and item["promised_label"] == "即办"
    assert item["handling_form_label"] == "帮办、代办"
    assert item["material_list"] == [
        {"name": "居民身份证", "copies": 2, "form": "复印件", "is_essential": True, "note": ""}
    ]
    assert "申请书" in item["missing_elements"]


def test_one_matter_and_its_list(client, published):
    detail = client.get(f"/api/v2/pages/{published.pk}/").json()
    assert detail["meta"]["type"] == "daiban.MatterPage" and detail["is_free"] is True
    lists = client.get("/api/v2/pages/", {"type": "daiban.MatterListPage", "fields": "level,region_name"}).json()
    assert lists["items"][0]["level"] == "county" and lists["items"][0]["region_name"] == "资中县"


def test_the_api_is_read_only(client, published):
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v2/pages/{published.pk}/").status_code == 405
    assert client.get("/api/v2/pages/999999/").status_code == 404
