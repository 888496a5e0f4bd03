"""The public catalogue at a city's scale: 1,000 and 10,000 matters, each page beside its floor in the same run.

The matters are written in bulk (benchmarks/catalogue_data.py: live pages under eight lists, the search
index built in one batch), with units that have no matter, on the database cache (production's default
without Redis). Sizes: 100 and 1,000 matters by default; BENCH_10K=1 adds 10,000 (building it takes
about 2–4.5 minutes on a busy two-core machine, most of it segmenting the search text), BENCH_MATTERS=…
chooses others. On PostgreSQL the plan of the search query is printed under the table.

Floors: a bare Wagtail page on the same base template for the list page and the guide — a plain
`Page` at the same depth, served as Wagtail serves any page (site, route, view-restriction hooks) and
rendered on templates/base.html with nothing else (benchmarks/urls.py); one more row shows what that
routing costs beside base.html rendered by a plain Django view. For search, the floor is the list page
itself (a search answers from the whole catalogue what a list page
answers from one list). For each row the table prints the project's time, the floor's, their ratio,
the project's queries and peak Python memory, and the growth from the smaller size.

Goals (issue 16), asserted after the table is printed: list page ≤ 1.5× and guide ≤ 1.2× the bare
page, with the same number of queries at every size; search ≤ 2× the list page at 10,000 matters
and growing no faster than the catalogue. SLACK absorbs the noise of a shared two-core machine.
"""

import os
import time

import pytest
from django.db import connection
from django.test import Client

from benchmarks.catalogue_data import add_matters, organisation
from benchmarks.conftest import CATALOGUE, PLANS, RESULTS, queries_and_peak
from daiban.models import MatterPage

pytestmark = pytest.mark.django_db

BARE_LIST = "/bench/bare-wagtail/bare/"  # benchmarks/urls.py: a plain Wagtail page at a list's depth
BARE_GUIDE = "/bench/bare-wagtail/bare/page/"  # and at a guide's
BARE_PUBLIC = "/bench/bare-public/"  # base.html without Wagtail: what Wagtail's routing costs
SLACK = 1.1
GOALS = {"matter list page": 1.5, "guide page": 1.2, "search": 2.0}
SEARCH_GOAL_FROM = 10_000  # search's goal applies to the catalogue of a city, not to a small one
SEARCHES = {"search 公积金提取": "公积金提取", "search 社保 (synonym)": "社保"}


def sizes():
    chosen = [int(n) for n in os.environ.get("BENCH_MATTERS", "100,1000").split(",")]
    if os.environ.get("BENCH_10K") == "1":
        chosen.append(10_000)
    return chosen


def explain_search(text):
    """PostgreSQL's plan of the search's main query (EXPLAIN ANALYZE), printed under the table."""
    from daiban.models import SearchSynonym
    from daiban.search import build_query

    results = MatterPage.objects.live().search(build_query(text, synonyms=SearchSynonym.mapping()))[:20]
    sql, params = results.get_queryset().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def best_of(fn, runs=5):
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def page(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_catalogue_scale(database_cache):
    lists, units = organisation()
    client = Client()
    missed, rows, written = [], {}, 0
    for size in sizes():
        started = time.perf_counter()
        written += add_matters(lists, units, size - written, first=written)
        built = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        list_url = lists[1].url  # a county's list, 1/8 of the catalogue
        guide_url = MatterPage.objects.live().child_of(lists[1]).order_by("path").last().url
        paths = {
            "matter list page (filtered, page 1)": (
                lambda url=list_url: page(client, url, {"handling_form": "assist"}),
                lambda: page(client, BARE_LIST),
            ),
            "guide page": (lambda url=guide_url: page(client, url), lambda: page(client, BARE_GUIDE)),
            "(bare Wagtail page at a guide's depth)": (
                lambda: page(client, BARE_GUIDE),
                lambda: page(client, BARE_PUBLIC),
            ),
        }
        for name, text in SEARCHES.items():
            paths[name] = (
                lambda text=text: page(client, "/search/", {"q": text}),
                lambda url=list_url: page(client, url, {"handling_form": "assist"}),
            )
        found = page(client, "/search/", {"q": "公积金提取"}).content.decode()
        assert "住房公积金提取" in found
        assert "社会保障卡补换" in page(client, "/search/", {"q": "社保"}).content.decode()
        for name, (project, floor) in paths.items():
            project(), floor()  # warm: the cache, the templates
            seconds, floor_seconds = best_of(project), best_of(floor)
            queries, peak = queries_and_peak(project)
            previous = rows.get(name)
            growth = f"{seconds / previous[0]:.2f}×" if previous else ""
            if previous and name.startswith(("matter list", "guide")) and queries != previous[1]:
                missed.append(f"{name}: {previous[1]} queries at the smaller size, {queries} at {size:,}")
            goal = next((ratio for prefix, ratio in GOALS.items() if name.startswith(prefix)), None)
            applies = not name.startswith("search") or size >= SEARCH_GOAL_FROM
            if goal and applies and seconds > goal * SLACK * floor_seconds:
                missed.append(f"{name} at {size:,}: {seconds / floor_seconds:.2f}× > {goal}× (+{SLACK - 1:.0%})")
            if previous and name.startswith("search") and seconds > (size / previous[2]) * SLACK * previous[0]:
                missed.append(f"{name}: grows faster than the catalogue ({seconds / previous[0]:.1f}×)")
            rows[name] = (seconds, queries, size)
            CATALOGUE.append((name, f"{size:,}", seconds, floor_seconds, queries, peak, growth))
        RESULTS.append((f"building the catalogue up to {size:,} matters (bulk)", f"{built:.3f}", "", ""))
        if connection.vendor == "postgresql":
            PLANS.append((f"search 公积金提取 at {size:,} matters", explain_search("公积金提取")))
    assert not missed, "goals missed:\n" + "\n".join(missed)
