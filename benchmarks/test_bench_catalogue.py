"""Public catalogue pages and search over a large list."""

import pytest

from daiban.models import MatterPage
from tests.factories import UnitFactory, matter, matter_list

pytestmark = pytest.mark.django_db

MATTERS = 400


@pytest.fixture
def big_list():
    page = matter_list()
    units = [UnitFactory() for _ in range(10)]
    for n in range(MATTERS):
        matter(
            title=f"住房公积金提取（第{n}项）" if n % 2 else f"城镇职工基本养老保险关系转移接续（第{n}项）",
            unit=units[n % 10],
            list_page=page,
            materials=("身份证", "申请表"),
        )
    return page


def test_list_page(bench, client, big_list):
    client.get(big_list.url)
    with bench(f"matter list page, {MATTERS} matters"):
        response = client.get(big_list.url)
    assert response.status_code == 200


def test_guide_page(bench, client, big_list):
    guide = MatterPage.objects.live().first()
    client.get(guide.url)
    with bench("guide page"):
        response = client.get(guide.url)
    assert response.status_code == 200


def test_search(bench, client, big_list):
    client.get("/search/", {"q": "公积金提取"})
    with bench(f"search 公积金提取, {MATTERS} matters"):
        response = client.get("/search/", {"q": "公积金提取"})
    assert response.status_code == 200
