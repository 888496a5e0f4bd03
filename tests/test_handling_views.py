"""The admin pages of linked handling: queue, case page actions, routing, dashboard 超时预警, permissions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daiban.models import CaseStatus, FlowStatus, UnitFlow
from daiban.services import handling
from daiban.services.base import ActionError, current_version
from daiban.workdays import add_working_days
from tests.factories import CentreFactory, county, staff_user
from tests.handling_setup import World, unit_with_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def routed(world, due_date=None):
    case = world.accepted_case(due_date=due_date)
    return handling.route_bundle(
        case, lead_unit=world.lead.unit, co_units=[world.co.unit], user=world.window, version=case.version
    )


def case_url(case):
    return reverse("handling:case", args=[case.pk])


def test_route_page_routes_a_bundle(client, world):
    case = world.accepted_case()
    client.force_login(world.window)
    url = reverse("handling:route", args=[case.pk])
    assert client.get(url).status_code == 200
    data = {
        "route": "bundle",
        "bundle-version": case.version,
        "bundle-lead_unit": world.lead.unit.pk,
        "bundle-co_units": [world.co.unit.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.flows.count() == 2


def test_route_page_with_a_stale_version_keeps_the_input(client, world):
    case = world.accepted_case()
    client.force_login(world.window)
    data = {
        "route": "single",
        "single-version": case.version + 7,
        "single-unit": world.co.unit.pk,
        "single-note": "我的说明",
    }
    response = client.post(reverse("handling:route", args=[case.pk]), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "该办件已被其他人修改" in html and "我的说明" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_route_page_is_forbidden_to_unit_staff_and_other_windows(client, world):
    case = world.accepted_case()
    url = reverse("handling:route", args=[case.pk])
    client.force_login(world.lead.staff)
    assert client.get(url).status_code == 404  # not even visible before routing
    other_window = staff_user(
        "帮办代办窗口人员",
        centre=CentreFactory(region=county("威远县")),
    )
    client.force_login(other_window)
    response = client.post(url, {"route": "single", "single-version": 0, "single-unit": world.co.unit.pk})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_unit_staff_accepts_their_flow_on_the_case_page(client, world):
    case = routed(world)
    flow = case.flows.get(unit=world.co.unit)
    client.force_login(world.co.staff)
    today = timezone.localdate()
    data = {
        "action": "accept",
        "flow": flow.pk,
        f"f{flow.pk}-version": flow.version,
        f"f{flow.pk}-accepted_on": today.isoformat(),
        f"f{flow.pk}-promised_days": "5",
        f"f{flow.pk}-notice_no": "税受2026-1",
    }
    response = client.post(case_url(case), data)
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ACCEPTED and flow.due_date == add_working_days(today, 5)


def test_a_stale_flow_form_is_refused_and_keeps_the_typed_result(client, world):
    case = routed(world)
    flow = case.flows.get(unit=world.co.unit)
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="N")
    client.force_login(world.co.staff)
    data = {
        "action": "complete",
        "flow": flow.pk,
        f"f{flow.pk}-version": flow.version - 1,
        f"f{flow.pk}-completed_on": timezone.localdate().isoformat(),
        f"f{flow.pk}-result_note": "我写了很长的办理结果",
    }
    response = client.post(case_url(case), data)
    html = response.content.decode()
    assert "该单位流转已被其他人处理" in html and "我写了很长的办理结果" in html
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ACCEPTED and flow.result_note == ""


def test_a_co_handling_unit_sees_only_its_own_flow_and_cannot_post_to_the_lead_flow(client, world):
    case = routed(world)
    lead_flow = case.flows.get(unit=world.lead.unit)
    client.force_login(world.co.staff)
    html = client.get(case_url(case)).content.decode()
    assert f'id="flow-{lead_flow.pk}"' not in html
    data = {"action": "accept", "flow": lead_flow.pk, f"f{lead_flow.pk}-version": 0}
    assert client.post(case_url(case), data).status_code == 404
    lead_flow.refresh_from_db()
    assert lead_flow.status == FlowStatus.ASSIGNED


def test_the_lead_unit_sees_its_co_handling_flows(client, world):
    case = routed(world)
    co_flow = case.flows.get(unit=world.co.unit)
    client.force_login(world.lead.staff)
    html = client.get(case_url(case)).content.decode()
    assert f'id="flow-{co_flow.pk}"' in html and "增加协办单位" in html


def test_an_unrelated_unit_gets_404(client, world):
    case = routed(world)
    outsider = unit_with_staff("县教育局")
    client.force_login(outsider.staff)
    assert client.get(case_url(case)).status_code == 404
    assert client.post(case_url(case), {"action": "supervise", "text": "x"}).status_code == 404


def test_the_coordinator_sees_the_whole_case_and_writes_notes(client, world):
    coordinator = staff_user("单位帮办代办员", unit=world.lead.unit)
    case = world.accepted_case()
    handling.route_task_force(
        case,
        coordinator=coordinator,
        members=[(world.lead.a_post, ""), (world.co.a_post, "")],
        user=world.window,
        version=case.version,
    )
    client.force_login(coordinator)
    html = client.get(case_url(case)).content.decode()
    assert html.count('class="daiban-flow"') == 2 and "记录督办意见" in html
    response = client.post(
        case_url(case), {"action": "supervise", "text": "周五前汇总结果", "version": current_version(case)}
    )
    assert response.status_code == 302
    assert case.supervision_notes.get().text == "周五前汇总结果"


def test_queue_lists_the_units_flows_with_warnings(client, world):
    today = timezone.localdate()
    overdue = routed(world, due_date=today - datetime.timedelta(days=3))
    soon = routed(world, due_date=today)
    client.force_login(world.co.staff)
    html = client.get(reverse("handling:queue")).content.decode()
    assert overdue.number in html and soon.number in html and "逾期" in html and "临期" in html
    html = client.get(reverse("handling:queue") + "?state=overdue").content.decode()
    assert overdue.number in html and soon.number not in html


def test_queue_query_count_does_not_grow_with_flows(client, world):
    client.force_login(world.co.staff)
    routed(world)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("handling:queue"))
    for _ in range(8):
        routed(world)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("handling:queue"))
    assert len(many) == len(few)


def test_case_page_query_count_does_not_grow_with_handovers(client, world):
    from daiban.services import handovers

    case = routed(world)
    client.force_login(world.window)

    def handover():
        handovers.create_handover(
            case,
            user=world.window,
            from_party="window",
            to_party="unit",
            to_unit=world.co.unit,
            items=[("材料", 1)],
            version=current_version(case),
        )

    handover()
    with CaptureQueriesContext(connection) as few:
        client.get(case_url(case))
    for _ in range(6):
        handover()
    with CaptureQueriesContext(connection) as many:
        client.get(case_url(case))
    assert len(many) == len(few)


def test_dashboard_shows_each_person_only_their_scopes_warnings(client, world):
    today = timezone.localdate()
    mine = routed(world, due_date=today - datetime.timedelta(days=1))
    other_county = county("威远县")
    other = World.__new__(World)
    other.centre = CentreFactory(name="威远县政务服务中心", region=other_county)
    other.window = staff_user("帮办代办窗口人员", centre=other.centre)
    other.lead = unit_with_staff("威远县市场监管局", region=other_county)
    other.co = unit_with_staff("威远县税务局", region=other_county)
    other.matter = world.matter
    theirs = routed(other, due_date=today - datetime.timedelta(days=1))

    def dashboard(user):
        client.force_login(user)
        return client.get(reverse("wagtailadmin_home")).content.decode()

    html = dashboard(world.co.staff)
    assert "超时预警" in html and mine.number in html and theirs.number not in html
    html = dashboard(other.window)
    assert theirs.number in html and mine.number not in html
    html = dashboard(world.bureau)
    assert mine.number in html and theirs.number not in html
    outsider = unit_with_staff("县教育局")
    assert mine.number not in dashboard(outsider.staff)


def test_completed_flows_leave_the_warnings(client, world):
    today = timezone.localdate()
    case = handling.route_single(world.accepted_case(due_date=today), unit=world.co.unit, user=world.window, version=0)
    flow = case.flows.get()
    UnitFlow.objects.filter(pk=flow.pk).update(due_date=today - datetime.timedelta(days=1))
    flow.refresh_from_db()
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, promised_days=0)
    UnitFlow.objects.filter(pk=flow.pk).update(due_date=today - datetime.timedelta(days=1))
    flow.refresh_from_db()
    handling.complete_flow(flow, user=world.co.staff, version=flow.version, result_note="好")
    client.force_login(world.co.staff)
    assert case.number not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_ledger_filter_for_due_soon(client, world):
    today = timezone.localdate()
    soon = world.accepted_case(due_date=today)
    later = world.accepted_case(due_date=today + datetime.timedelta(days=30))
    client.force_login(world.window)
    html = client.get(reverse("daiban_case_modeladmin_index") + "?overdue=due_soon").content.decode()
    assert soon.number in html and later.number not in html


def test_case_page_shows_the_handling_partial_with_flows(client, world):
    case = routed(world)
    client.force_login(world.window)
    response = client.get(reverse("daiban_case_detail", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "相关单位流转情况" in html and world.co.unit.name in html
    assert reverse("handling:case", args=[case.pk]) in html


def test_accepted_case_page_offers_routing_to_the_window_only(client, world):
    case = world.accepted_case()
    route_url = reverse("handling:route", args=[case.pk])
    client.force_login(world.window)
    assert route_url in client.get(reverse("daiban_case_detail", args=[case.pk])).content.decode()
    client.force_login(world.bureau)
    assert route_url not in client.get(reverse("daiban_case_detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize("days", ["366", "100000000000000000000"])
def test_a_promised_time_beyond_a_year_is_refused(client, world, days):
    # A huge number ran the working-day calendar past the year 9999: a 500 (found by the property tests).
    case = routed(world)
    flow = case.flows.get(unit=world.co.unit)
    client.force_login(world.co.staff)
    data = {
        "action": "accept",
        "flow": flow.pk,
        f"f{flow.pk}-version": flow.version,
        f"f{flow.pk}-accepted_on": timezone.localdate().isoformat(),
        f"f{flow.pk}-promised_days": days,
        f"f{flow.pk}-notice_no": "税受2026-9",
    }
    response = client.post(case_url(case), data)
    assert response.status_code == 400 and "365" in response.content.decode()
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ASSIGNED
    with pytest.raises(ActionError, match="承诺时限应为0至365个工作日"):
        handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="N", promised_days=10**20)
