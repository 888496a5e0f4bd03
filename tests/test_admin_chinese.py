"""The back office speaks Chinese: every demo login crawls the dashboard and its menus and finds no English.

Visible text is what a person reads or hears: text outside scripts, styles and `hidden` elements,
the labels of the sidebar (rendered from JSON), and the placeholder, title, aria-label and alt
attributes. Data is
not checked: usernames, time-zone names, page titles, tokens glued to digits or dots (case
numbers, file names, content types, mail addresses). A few proper nouns are allowed.
"""

import importlib
import io
import json
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from wagtail.models import Page, Workflow

from daiban.demo.org import PASSWORD
from daiban.models import MatterPage

pytestmark = pytest.mark.django_db

LOGINS = [
    "admin",
    "city_guide",
    "zizhong_bureau",
    "dongxing_bureau",
    "zizhong_window",
    "city_window",
    "zizhong_hrss",
    "zizhong_editor",
]

# Proper nouns and file formats staff read as they are; keyboard keys as printed on the keys.
ALLOWED = {
    "Wagtail",
    "Excel",
    "PDF",
    "JPG",
    "PNG",
    "xlsx",
    "XLSX",
    "CSV",
    "ID",
    "SMS",
    "URL",
    "API",
    "MB",
    "JavaScript",
    "chinesecalendar",
    "Ctrl",
    "Alt",
    "Shift",
    "Esc",
}
# Wagtail's sites listing labels its columns from field names (no translation possible); superuser only.
NOT_CRAWLED = {"/admin/sites/"}
# A few Wagtail pages every staff member reaches from the pages they are shown.
EXTRA_PAGES = ["/admin/pages/", "/admin/account/", "/admin/staff-guide/"]

SIDEBAR_PROPS = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S)
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value"}
URL = re.compile(r"https?://\S+|(?:\w+\.)+(?:com|cn|org)\S*")
# A Latin word standing alone: not part of a code, file name, dotted name, path or mail address.
ENGLISH_WORD = re.compile(r"(?<![\w.@/-])[A-Za-z]{2,}(?![\w.@/-])")


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """Text and spoken attributes, leaving out scripts, styles and elements marked `hidden`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fragments = []
        self.open = []  # (tag, silent) of the elements we are inside

    @property
    def silent(self):
        return any(silent for _tag, silent in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        silent = tag in ("script", "style") or "hidden" in attrs
        if not self.silent and "hidden" not in attrs:
            self.fragments += [value for name, value in attrs.items() if name in VISIBLE_ATTRIBUTES and value]
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, silent))

    def handle_startendtag(self, tag, attrs):
        if not self.silent:
            self.fragments += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.silent:
            self.fragments.append(data)


def sidebar(body):
    match = SIDEBAR_PROPS.search(body)
    return json.loads(match.group(1)) if match else {}


def walk(node, key):
    """Every string under `key` in the sidebar's JSON."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, str):
                yield value
            else:
                yield from walk(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, key)


def visible_fragments(body):
    parser = VisibleText()
    parser.feed(body)
    return [*walk(sidebar(body), "label"), *parser.fragments]


def english_words(fragment, data):
    text = URL.sub(" ", fragment.strip())
    if text in data:
        return []
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return [word for word in ENGLISH_WORD.findall(text) if word not in ALLOWED]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def data():
    """Strings that are data, not interface: they may be Latin."""
    users = get_user_model().objects.all()
    return (
        set(zoneinfo.available_timezones())
        | {user.username for user in users}
        | set(Page.objects.values_list("title", flat=True))
    )


def page_editor_urls():
    """The editor, history and list of one matter of the unit the demo's guide editor belongs to."""
    matter = MatterPage.objects.filter(unit__name="资中县人力资源和社会保障局").order_by("path").first()
    edit, history = f"/admin/pages/{matter.pk}/edit/", f"/admin/pages/{matter.pk}/history/"
    return [edit, history, f"/admin/pages/{matter.get_parent().pk}/"]


def crawl_urls(client):
    dashboard = client.get("/admin/").content.decode()
    menu = [url for url in walk(sidebar(dashboard), "url") if url.startswith("/admin/") and "logout" not in url]
    return ["/admin/", *dict.fromkeys(menu + EXTRA_PAGES + page_editor_urls())]


@pytest.mark.parametrize("username", LOGINS)
def test_every_login_reads_the_back_office_in_chinese(demo, data, username):
    client = Client()
    assert client.login(username=username, password=PASSWORD), username
    found = {}
    for url in crawl_urls(client):
        if url in NOT_CRAWLED:
            continue
        response = client.get(url, follow=True)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for fragment in visible_fragments(response.content.decode()):
            words = english_words(fragment, data)
            if words:
                found.setdefault(fragment.strip()[:80], url)
    assert not found, "English in the admin:\n" + "\n".join(f"{url}: {text!r}" for text, url in found.items())


def test_the_crawl_sees_english_when_there_is_some():
    """The checker itself: Wagtail's untranslated strings are caught, data and proper nouns are not."""
    body = (
        '<div title="Search all pages…">170 Pages <span>created in</span> 内江</div>'
        "<script>var English = 1;</script><div hidden>None</div>"
        "<p>导出 Excel（附件8格式）BD202612020001 a.b@demo.example.com</p>"
        "<p>daiban.matterpage demo-form_0WUf1uJ.txt zizhong_window Asia/Shanghai</p>"
    )
    words = [w for f in visible_fragments(body) for w in english_words(f, {"Asia/Shanghai", "zizhong_window"})]
    assert words == ["Search", "all", "pages", "Pages", "created", "in"]


def test_help_menu_leads_to_the_chinese_staff_guide(demo):
    client = Client()
    assert client.login(username="zizhong_window", password=PASSWORD)
    dashboard = client.get("/admin/").content.decode()
    help_urls = list(walk(sidebar(dashboard), "url"))
    assert "/admin/staff-guide/" in help_urls
    assert not [url for url in help_urls if "guide.wagtail.org" in url or "wagtail.org" in url]
    guide = client.get("/admin/staff-guide/").content.decode()
    for step in ("甄别", "一次性告知", "受理", "转办", "材料交接", "评价", "归档", "月报确认"):
        assert step in guide


def test_wagtail_default_groups_and_workflow_are_gone_and_the_portals_remain(demo):
    groups = set(Group.objects.values_list("name", flat=True))
    assert not groups & {"Editors", "Moderators"}
    assert {"市审批指导科", "县级审批局", "帮办代办窗口人员", "单位帮办代办员", "指南编辑"} <= groups
    assert list(Workflow.objects.values_list("name", flat=True)) == ["审批指导科审核"]


def test_no_online_avatar_service(demo):
    client = Client()
    assert client.login(username="city_guide", password=PASSWORD)
    assert "gravatar" not in client.get("/admin/").content.decode()


def test_the_migration_keeps_a_default_group_someone_belongs_to(db):
    migration = importlib.import_module("daiban.migrations.0010_remove_wagtail_default_groups")
    kept, removed = Group.objects.get_or_create(name="Editors")[0], Group.objects.get_or_create(name="Moderators")[0]
    get_user_model().objects.create_user("still_an_editor").groups.add(kept)

    migration.remove_unused_defaults(django_apps, None)

    assert Group.objects.filter(pk=kept.pk).exists()
    assert not Group.objects.filter(pk=removed.pk).exists()
