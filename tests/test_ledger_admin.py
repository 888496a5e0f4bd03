"""The 台账 listing (wagtail-modeladmin): scoped rows, masked phones, filters, search, no edit views."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from daiban.models import Case, CaseStatus, DeferredMaterial, Route, UnitFlow
from tests.intake_setup import PASSWORD, World

pytestmark = pytest.mark.django_db

LEDGER = "/admin/daiban/case/"


@pytest.fixture
def world():
    return World()


def login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def listed(client, query=""):
    response = client.get(LEDGER + query)
    assert response.status_code == 200
    return response.content.decode()


def test_window_staff_see_their_centre_only_with_masked_phones(client, world):
    own = world.online_case(applicant_name="本中心申请人")
    other = world.online_case(applicant_name="外中心申请人", centre=world.other_centre)
    html = listed(login(client, "zz_window"))
    assert own.number in html and other.number not in html
    assert "138****1234" in html and "13800001234" not in html
    assert f'href="/admin/cases/{own.pk}/"' in html


def test_supervisor_sees_the_region_and_the_city_everything(client, world):
    own = world.online_case()
    other = world.online_case(centre=world.other_centre)
    html = listed(login(client, "zz_bureau"))
    assert own.number in html and other.number not in html
    html = listed(login(client, "city_guidance"))
    assert own.number in html and other.number in html


def test_no_create_edit_or_delete_views(client, world):
    case = world.online_case()
    login(client, "city_guidance")
    for path in ("create/", f"edit/{case.pk}/", f"delete/{case.pk}/", f"inspect/{case.pk}/"):
        assert client.get(LEDGER + path).status_code == 404
    html = listed(client)
    # The city sees every case but registers none (seeing is not acting); the window registers.
    assert "/admin/daiban/case/edit/" not in html and "窗口登记申请" not in html
    html = listed(login(client, "zz_window"))
    assert "/admin/daiban/case/edit/" not in html and "窗口登记申请" in html


def test_status_filter_and_search(client, world):
    submitted = world.online_case(applicant_name="张三丰")
    accepted = world.case_in(CaseStatus.ACCEPTED, applicant_name="李四光", contact_phone="13800005678")
    login(client, "zz_window")
    html = listed(client, "?status=accepted")
    assert accepted.number in html and submitted.number not in html
    html = listed(client, "?q=张三")
    assert submitted.number in html and accepted.number not in html
    html = listed(client, "?q=5678")
    assert accepted.number in html and submitted.number not in html
    html = listed(client, f"?q={submitted.number}")
    assert submitted.number in html and accepted.number not in html


def test_green_channel_route_unit_and_centre_filters(client, world):
    elderly = world.online_case(special_group="elderly")
    routed = world.case_in(CaseStatus.ACCEPTED)
    Case.objects.filter(pk=routed.pk).update(route=Route.BUNDLE)
    UnitFlow.objects.create(case=routed, unit=world.unit)
    login(client, "city_guidance")
    html = listed(client, "?green=any")
    assert elderly.number in html and routed.number not in html
    html = listed(client, "?route=bundle")
    assert routed.number in html and elderly.number not in html
    html = listed(client, f"?unit={world.unit.pk}")
    assert routed.number in html and elderly.number not in html
    html = listed(client, f"?centre={world.other_centre.pk}")
    assert routed.number not in html and elderly.number not in html


def test_overdue_and_month_filters(client, world):
    late = world.case_in(CaseStatus.ACCEPTED)
    Case.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    deferred = world.case_in(CaseStatus.ACCEPTED)
    DeferredMaterial.objects.create(
        case=deferred, name="证明", due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    on_time = world.case_in(CaseStatus.ACCEPTED)
    old = world.online_case()
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=70))
    login(client, "zz_window")
    html = listed(client, "?overdue=case")
    assert late.number in html and on_time.number not in html and "已超期" in html
    html = listed(client, "?overdue=deferred")
    assert deferred.number in html and late.number not in html and "容缺材料逾期" in html
    this_month = timezone.localdate().strftime("%Y-%m")
    html = listed(client, f"?month={this_month}")
    assert on_time.number in html and old.number not in html


def test_unit_staff_without_a_window_role_do_not_see_other_cases(client, world):
    from daiban.roles import UNIT_STAFF
    from tests.factories import staff_user
    from tests.intake_setup import grant_admin_access

    grant_admin_access(UNIT_STAFF)
    staff_user(UNIT_STAFF, unit=world.unit, username="unit_staff")
    case = world.online_case()
    html = listed(login(client, "unit_staff"))
    assert case.number not in html


def test_query_count_does_not_grow_with_rows(client, world):
    login(client, "zz_window")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            listed(client)
        return len(ctx)

    for _ in range(2):
        world.online_case()
    few = queries()
    for _ in range(18):
        world.online_case()
    assert queries() <= few
