"""Constant queries on the production cache backend (the database cache, production's default without Redis).

Each page is requested with N and with 3N rows behind it; the number of queries must not change.
"""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.casedata import insert_cases
from daiban.models import Case
from daiban.roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF
from tests.factories import UnitFactory, UserFactory, matter, matter_list, staff_user
from tests.results_setup import window

pytestmark = pytest.mark.django_db

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}


@pytest.fixture(autouse=True)
def database_cache(settings):
    settings.CACHES = DATABASE_CACHE
    call_command("createcachetable", verbosity=0)
    cache.clear()


def queries_of(client, url, params=None):
    """Queries of a warm request (the first one fills the cache, as a visitor before would have)."""
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response


def test_matter_list_page(client):
    page = matter_list()
    counts = []
    for total in (5, 15):
        while page.get_children().count() < total:
            matter(title=f"事项{page.get_children().count()}", list_page=page)
        count, response = queries_of(client, page.url)
        assert response.content.decode().count('href="' + page.url) >= total  # every title links to its guide
        counts.append(count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20


def test_matter_list_page_filtered_and_sorted(client):
    """A filter, a sort and a second page cost no more queries with more matters behind them."""
    page = matter_list()
    units = [UnitFactory(), UnitFactory(), UnitFactory()]  # the third has no matter on this list
    params = {"handling_form": "assist", "sort": "-promised_days", "page": "2"}
    counts = []
    for total in (55, 110):
        while page.get_children().count() < total:
            n = page.get_children().count()
            matter(title=f"事项{n}", unit=units[n % 2], list_page=page, handling_form=("assist", "both")[n % 2])
        count, response = queries_of(client, page.url, params)
        html = response.content.decode()
        assert html.count('<td data-label="事项名称">') == 25
        assert units[2].name not in html  # a unit without matters is no filter choice
        counts.append(count)
    assert counts[0] == counts[1], counts


def test_search_page(client):
    """Search asks the same number of queries whatever the catalogue's size and the number of results."""
    page = matter_list()
    unit = UnitFactory()
    counts = []
    for total in (10, 40):
        while page.get_children().count() < total:
            n = page.get_children().count()
            title = f"住房公积金提取（第{n}项）" if n % 2 else f"失业保险金申领（第{n}项）"
            matter(title=title, unit=unit, list_page=page, note="公积金" if n % 4 == 0 else "")
        count, response = queries_of(client, "/search/", {"q": "公积金提取"})
        assert f"找到 {total // 2} 个" in response.content.decode()
        counts.append(count)
    assert counts[0] == counts[1], counts


def test_guide_page(client):
    few = matter(title="少材料事项", materials=[f"材料{i}" for i in range(3)])
    many = matter(title="多材料事项", materials=[f"材料{i}" for i in range(9)], unit=few.unit)
    small, _ = queries_of(client, few.url)
    large, response = queries_of(client, many.url)
    assert "材料8" in response.content.decode()
    list_url = many.get_parent().url  # a Chinese slug, percent-encoded
    assert f'<li><a href="{list_url}">' in response.content.decode()  # the breadcrumb, without a url lookup
    assert small == large, (small, large)


def _cases(windows, count, prefix):
    end = timezone.now()
    insert_cases(windows, count, end - datetime.timedelta(days=90), end, prefix=prefix)


def test_admin_ledger_and_dashboard(client):
    windows = [window()]
    unit, centre = windows[0]
    people = {
        "城市管理员": UserFactory(is_superuser=True, is_staff=True),
        "县局": staff_user(COUNTY_BUREAU, region=unit.region),
        "窗口": staff_user(WINDOW_STAFF, centre=centre),
        "单位": staff_user(UNIT_STAFF, unit=unit),
    }
    counts = {}
    for total, prefix in ((40, "AA"), (120, "AB")):
        _cases(windows, total - Case.objects.count(), prefix)
        assert Case.objects.count() == total
        for role, user in people.items():
            client.force_login(user)
            ledger, response = queries_of(client, "/admin/daiban/case/")
            assert response.content.decode().count("data-object-pk=") == min(total, 50), role
            filtered, _ = queries_of(client, "/admin/daiban/case/", {"status": "completed", "overdue": "case"})
            dashboard, _ = queries_of(client, "/admin/")
            counts[total, role] = (ledger, filtered, dashboard)
    for role in people:
        assert counts[40, role] == counts[120, role], (role, counts)
