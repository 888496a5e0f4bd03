"""Every demo login walks the back office on the demo data.

For each login: the dashboard, every item of the admin menu that person is shown, every case
they can see (from the ledger listing) with the pages the case page links to (handling, results,
routing, the printed forms). Nothing may fail, every page is Chinese, and every page listing
cases lists only cases of the person's scope (daiban.permissions.cases_visible_to).
"""

import html
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from daiban.demo.org import PASSWORD
from daiban.permissions import cases_visible_to

# demo_db: the session's demo database (tests/database_fixture.py), shared with tests/test_demo.py.
pytestmark = pytest.mark.django_db

# The logins that see the whole city walk in tests/test_admin_crawl_citywide.py: a file of its own, so
# that xdist (--dist loadfile) runs the two halves of the crawl on two workers.
CITYWIDE_LOGINS = ["admin", "city_guide", "city_window"]
COUNTY_LOGINS = [
    "zizhong_bureau",
    "dongxing_bureau",
    "zizhong_window",
    "zizhong_hrss",
    "zizhong_editor",
    # Created by the linked-handling demo.
    "zizhong_amr",
    "zizhong_tax",
    "zizhong_realty",
]
LOGINS = CITYWIDE_LOGINS + COUNTY_LOGINS

SIDEBAR_PROPS = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)
CASE_LINK = re.compile(r'href="/admin/(?:cases|handling/cases|results/cases)/(\d+)/')
LEDGER_ROW = re.compile(r'href="/admin/cases/(\d+)/"')
QUEUE_TAB = re.compile(r'href="(/admin/my-queue/\?section=[a-z_]+)"')
ADMIN_HREF = re.compile(r'href="(/admin/[^"#]*)"')
# Links on a case page that belong to that case: its handling, results, routing and print pages.
CASE_PAGE_LINK = r"^/admin/(?:cases|handling/cases|results/cases)/{pk}/"

# Pages that list cases (besides the ledger, checked row by row against the scope).
CASE_LISTINGS = [
    "/admin/",
    "/admin/handling/",
    "/admin/handling/?state=due_soon",
    "/admin/handling/?state=overdue",
    "/admin/handling/?state=completed",
    "/admin/results/follow-ups/?closed=1",
    "/admin/daiban/case/?overdue=case",
    "/admin/daiban/case/?overdue=due_soon",
]


class Crawl:
    """A logged-in test client that remembers every page that went wrong."""

    def __init__(self, username):
        self.user = get_user_model().objects.get(username=username)
        self.client = Client(raise_request_exception=False)
        assert self.client.login(username=username, password=PASSWORD), username
        self.problems = []
        self.seen = set()

    def get(self, url, *, expect=(200,), follow=False):
        response = self.client.get(url, follow=follow)
        self.seen.add(url)
        body = self.body(response)
        landed = response.redirect_chain[-1][0] if follow and response.redirect_chain else url
        if response.status_code >= 500 or "Traceback" in body:
            self.problems.append(f"{url}: {response.status_code} error page")
        elif response.status_code not in expect:
            self.problems.append(f"{url}: status {response.status_code}")
        elif landed != url and not landed.startswith(url):
            self.problems.append(f"{url}: sent away to {landed}")
        elif "<html" in body and not re.search(r'<html[^>]*\blang="zh-hans"', body):
            self.problems.append(f"{url}: not a Chinese (zh-hans) page")
        return body

    @staticmethod
    def body(response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return ""
        return response.content.decode()


def menu_urls(dashboard):
    """Every link of the admin sidebar the person is shown, from Wagtail's sidebar props."""
    props = json.loads(SIDEBAR_PROPS.search(dashboard).group(1))
    urls = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("url"), str):
                urls.append(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return [url for url in urls if url.startswith("/admin/") and "logout" not in url]


def ledger_case_pks(crawl):
    """The cases the 台账 listing shows, over all its pages."""
    pks, page = set(), 1
    while True:
        body = crawl.get(f"/admin/daiban/case/?p={page}")
        found = {int(pk) for pk in LEDGER_ROW.findall(body)}
        if not found or found <= pks:
            return pks
        pks |= found
        page += 1


def crawl_case(crawl, pk):
    """The case page and every page of that case it links to."""
    body = crawl.get(f"/admin/cases/{pk}/")
    own = re.compile(CASE_PAGE_LINK.format(pk=pk))
    for href in {html.unescape(href) for href in ADMIN_HREF.findall(body)}:
        if own.match(href) and href not in crawl.seen:
            crawl.get(href)


def walk_the_back_office(username):
    """Walk as `username`; fail on any page that went wrong or lists a case outside the person's scope."""
    crawl = Crawl(username)
    visible = set(cases_visible_to(crawl.user).values_list("pk", flat=True))

    dashboard = crawl.get("/admin/")
    for url in menu_urls(dashboard):
        if url not in crawl.seen:
            crawl.get(url, follow=True)  # e.g. site settings redirect to the default site's form

    if visible:
        listed = ledger_case_pks(crawl)
        assert listed == visible, f"{username}: the ledger lists other cases than the person's scope"
    for pk in sorted(visible):
        crawl_case(crawl, pk)

    for url in CASE_LISTINGS:
        body = crawl.get(url, expect=(200, 302))
        outside = {int(pk) for pk in CASE_LINK.findall(body)} - visible
        assert not outside, f"{username}: {url} lists cases outside the scope: {sorted(outside)}"

    # 我的待办: every tab of the person's queue (those without a queue are sent back to the dashboard).
    queue = crawl.get("/admin/my-queue/", expect=(200, 302))
    for url in sorted({html.unescape(href) for href in QUEUE_TAB.findall(queue)}):
        body = crawl.get(url)
        outside = {int(pk) for pk in CASE_LINK.findall(body)} - visible
        assert not outside, f"{username}: {url} lists cases outside the scope: {sorted(outside)}"

    assert crawl.problems == [], f"{username}:\n" + "\n".join(crawl.problems)


@pytest.mark.parametrize("username", COUNTY_LOGINS)
def test_every_login_walks_the_back_office_without_errors_and_within_scope(demo_db, username):
    walk_the_back_office(username)


def test_the_demo_gives_every_kind_of_login_something_to_look_at(demo_db):
    """The crawl means something only if the demo puts cases in each role's scope."""
    users = get_user_model().objects.filter(username__in=LOGINS)
    seen = {user.username: cases_visible_to(user).count() for user in users}
    assert set(seen) == set(LOGINS)
    for username in ("zizhong_window", "city_window", "zizhong_bureau", "zizhong_hrss", "zizhong_amr"):
        assert seen[username] > 0, username
    assert seen["zizhong_bureau"] < seen["city_guide"] == seen["admin"]
