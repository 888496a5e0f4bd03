"""The matter picker on the demo catalogue: the four 住房公积金提取 read apart, every label of a search is unique."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["公积金", "住房公积金提取", "养老", "社保", "不动产", "营业执照"])
def test_demo_searches_give_unique_labels_grouped_by_unit(client, demo_db, q):
    data = json.loads(client.get("/apply/matters/", {"q": q}).content)
    labels = [option["label"] for group in data["groups"] for option in group["options"]]
    full = [option["full_label"] for group in data["groups"] for option in group["options"]]
    assert len(labels) == len(set(labels)) == data["count"] <= 30
    assert len(full) == len(set(full))
    units = [group["unit"] for group in data["groups"]]
    assert len(units) == len(set(units))
    if q in ("公积金", "住房公积金提取"):
        assert data["count"] >= 4


def test_demo_apply_page_lists_no_matters(client, demo_db):
    html = client.get("/apply/").content.decode()
    assert "住房公积金提取" not in html and 'name="matter"' in html
    assert len(html.encode()) < 40_000
