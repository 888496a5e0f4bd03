"""`manage.py load_demo`: idempotent, Neijiang's organisation, and every printed login works.

The demo database of the session (tests/database_fixture.py) is what one `load_demo` on the migrated database
made; these tests run `load_demo` a second time on it.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import transaction

from daiban.demo import org
from daiban.demo.org import PASSWORD, USERS
from daiban.models import Liaison, LiaisonPost, Region, ServiceCentre, StaffProfile, Unit
from home.models import HomePage
from tests.database_fixture import load_demo

pytestmark = pytest.mark.django_db

# Rows that change as a side effect of running a command, not demo data.
IGNORED = {"sessions.session", "admin.logentry", "wagtailsearch.indexentry", "wagtailcore.referenceindex"}


def counts():
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in IGNORED and not model._meta.proxy
    }


@dataclass
class SecondRun:
    counts_before: dict
    output: str
    counts_after: dict


@pytest.fixture(scope="module")
def second_run(demo_db, django_db_blocker):
    """`load_demo` run again on the demo database, once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = counts()
        output = load_demo()
        yield SecondRun(before, output, counts())
        transaction.set_rollback(True)


def test_load_demo_twice_creates_nothing_twice(second_run):
    assert second_run.counts_after == second_run.counts_before


def printed_logins(output):
    return re.findall(rf"^(\w+)\s+.*{re.escape(PASSWORD)}$", output, re.MULTILINE)


def test_every_printed_login_enters_the_admin(second_run, client):
    output = second_run.output
    usernames = printed_logins(output)
    assert usernames[: len(USERS)] == [row[0] for row in USERS]
    for username in usernames:
        assert client.login(username=username, password=PASSWORD), username
        response = client.get("/admin/")
        assert response.status_code == 200, username
        client.logout()
    assert_neijiang_organisation()
    assert_home_page_presents_the_site(client)


def assert_neijiang_organisation():
    city = Region.objects.get(name="内江市", depth=1)
    counties = {"市中区", "东兴区", "威远县", "资中县", "隆昌市", "内江经开区", "内江高新区"}
    assert set(city.get_children().values_list("name", flat=True)) == counties
    assert Region.objects.get(name="水南镇").get_parent().name == "资中县"
    assert Region.objects.filter(depth=4).exists()
    assert ServiceCentre.objects.filter(name="资中县政务服务中心", region__name="资中县").exists()
    assert Unit.objects.filter(name="资中县行政审批局").exists()
    assert Unit.objects.filter(name="内江经开区行政审批服务局").exists()
    units = Unit.objects.filter(name__in=demo_org_units()).prefetch_related("liaisons")
    assert len(units) == len(demo_org_units()) == 8 + 5 * 6 + 2
    for unit in units:
        posts = sorted(liaison.post for liaison in unit.liaisons.all())
        assert posts == [LiaisonPost.A, LiaisonPost.B], unit
        assert sum(liaison.is_designated for liaison in unit.liaisons.all()) == 1, unit
    assert all(phone.startswith("1380000") for phone in Liaison.objects.values_list("phone", flat=True))
    hrss = StaffProfile.objects.get(user__username="zizhong_hrss")
    assert hrss.unit.name == "资中县人力资源和社会保障局"
    assert hrss.user.liaison_entries.get().post == LiaisonPost.A


def demo_org_units():
    """The units of the organisation step (later steps may add units of their own)."""
    names = list(org.CITY_UNITS)
    for county in Region.objects.filter(depth=2):
        names += org.county_unit_names(county)
    return names


def assert_home_page_presents_the_site(client):
    assert "帮办代办" in HomePage.objects.get().intro
    html = client.get("/").content.decode()
    assert "内江市政务服务中心" in html
    assert "免费提供帮办、代办服务" in html
