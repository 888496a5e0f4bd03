"""Property: routing, the units' flow forms and the window's results forms never fail, whatever is posted.

Each form is posted by the person whose work it is (the window routes and hands out results, a unit's
staff accept and complete its flow). See tests/property_setup.py for how the examples are run and checked.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from daiban.models import CaseStatus, Delivery, FlowStatus, UnitFlow
from daiban.services import handling
from daiban.services.base import current_version
from tests.handling_setup import World, bundle
from tests.property_setup import PROPERTY, check, date_text, datetime_text, form_data, int_text, send, text, value
from tests.results_setup import case_in, window, window_clerk

pytestmark = pytest.mark.django_db

FLOW_ACTIONS = ["accept", "complete", "resume", "request_materials"]


@pytest.fixture
def world():
    return World()


@st.composite
def route_posts(draw, world, case):
    units = [world.lead.unit.pk, world.co.unit.pk]
    people = [world.window.pk, world.lead.staff.pk]
    members = [world.lead.a_post.pk, world.co.a_post.pk, world.co.b_post.pk]
    fields = {"route": value("single", "bundle", "task_force", "all")}
    for prefix in ("single", "bundle", "task_force"):
        fields[f"{prefix}-version"] = int_text(case.version, case.version + 1)
        fields[f"{prefix}-note"] = value("", "请尽快办理")
    fields.update(
        {
            "single-unit": value(*units, 0),
            "bundle-lead_unit": value(*units, ""),
            "bundle-co_units": value(*units, "x"),
            "task_force-coordinator": value(*people, ""),
            "task_force-members": value(*members, 0),
            "task_force-lead_unit": value("", *units),
        }
    )
    valid = {"route": "single", "single-version": str(case.version), "single-unit": str(world.lead.unit.pk)}
    return draw(form_data(fields, valid=valid, lists=("bundle-co_units", "task_force-members")))


def test_routing_answers_every_post_without_a_server_error(client, world):
    case = world.accepted_case()
    client.force_login(world.window)
    url = reverse("handling:route", args=[case.pk])
    statuses = set()

    @PROPERTY
    @given(data=route_posts(world, case))
    def route(data):
        response = send(client, "post", url, data)
        check(response, {302, 400, 409})
        statuses.add(response.status_code)

    route()
    assert {302, 400} <= statuses
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.flows.exists()


def test_flow_forms_answer_every_post_without_a_server_error(world):
    case = bundle(world)
    lead_flow = UnitFlow.objects.get(case=case, unit=world.lead.unit)
    co_flow = UnitFlow.objects.get(case=case, unit=world.co.unit)
    handling.accept_flow(co_flow, user=world.co.staff, version=co_flow.version, notice_no="税受1")
    co_flow.refresh_from_db()
    clients = {}
    for flow, staff in ((lead_flow, world.lead.staff), (co_flow, world.co.staff)):
        clients[flow.pk] = Client()
        clients[flow.pk].force_login(staff)
    url = reverse("handling:case", args=[case.pk])

    @st.composite
    def flow_posts(draw):
        flow = draw(st.sampled_from([lead_flow, co_flow]))
        p = f"f{flow.pk}"
        fields = {
            "action": value(*FLOW_ACTIONS, "send_back", "nothing"),
            "flow": value(flow.pk, lead_flow.pk, co_flow.pk, "x", ""),
            f"{p}-version": int_text(flow.version, flow.version + 1),
            f"{p}-accepted_on": date_text(),
            f"{p}-promised_days": int_text(0, 5, 20),
            f"{p}-notice_no": value("", "市监受2026-1"),
            f"{p}-completed_on": date_text(),
            f"{p}-result_note": st.one_of(value("准予登记"), text(300)),
            f"{p}-items": value("营业执照复印件"),
        }
        today = timezone.localdate().isoformat()
        valid = {
            "flow": str(flow.pk),
            f"{p}-version": str(flow.version),
            **(
                {"action": "accept", f"{p}-accepted_on": today, f"{p}-promised_days": "5", f"{p}-notice_no": "N1"}
                if flow == lead_flow
                else {"action": "complete", f"{p}-completed_on": today, f"{p}-result_note": "准予"}
            ),
        }
        return flow, draw(form_data(fields, valid=valid))

    statuses = set()

    @PROPERTY
    @given(post=flow_posts())
    def act(post):
        flow, data = post
        # 403: the lead unit sees its co-handling unit's flow but may not act on it (a forged "flow").
        response = send(clients[flow.pk], "post", url, data)
        check(response, {302, 400, 403, 404, 409})
        statuses.add(response.status_code)

    act()
    assert {302, 400} <= statuses
    assert sorted(case.flows.values_list("status", flat=True)) == sorted([FlowStatus.ASSIGNED, FlowStatus.ACCEPTED])


def test_results_forms_answer_every_post_without_a_server_error(client):
    unit, centre = window()
    client.force_login(window_clerk(centre))
    returned = case_in(CaseStatus.RESULTS_RETURNED, unit, centre, delivery=Delivery.COURIER)
    completed = case_in(CaseStatus.COMPLETED, unit, centre)
    cases = [returned, completed]

    @st.composite
    def results_posts(draw):
        case = draw(st.sampled_from(cases))
        version = int_text(current_version(case), current_version(case) + 1)
        fields = {"action": value("notify", "pickup", "courier", "evaluate", "archive", "check")}
        for key in ("notify", "pickup", "courier", "evaluate", "archive"):
            fields[f"{key}-version"] = version
        fields.update(
            {
                "pickup-collected_by": value("张三"),
                "pickup-identity_checked": value("on", ""),
                "pickup-result_note": value("", "营业执照1份"),
                "courier-courier_company": value("中国邮政"),
                "courier-tracking_number": value("9876543210"),
                "courier-result_note": value(""),
                "evaluate-method": value("phone", "on_site", "online"),
                "evaluate-level": value("very_satisfied", "satisfied", "dissatisfied", "very_dissatisfied"),
                "evaluate-comment": value("", "很好"),
                "evaluate-evaluated_at": datetime_text(),
            }
        )
        v = str(current_version(case))
        valid = (
            {
                "action": "courier",
                "courier-version": v,
                "courier-courier_company": "邮政",
                "courier-tracking_number": "1",
            }
            if case == returned
            else {
                "action": "evaluate",
                "evaluate-version": v,
                "evaluate-method": "phone",
                "evaluate-level": "satisfied",
                "evaluate-evaluated_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            }
        )
        return case, draw(form_data(fields, valid=valid))

    statuses = set()

    @PROPERTY
    @given(post=results_posts())
    def act(post):
        case, data = post
        response = send(client, "post", reverse("results:case", args=[case.pk]), data)
        check(response, {302, 400, 409})
        statuses.add(response.status_code)

    act()
    assert {302, 400} <= statuses
    returned.refresh_from_db()
    completed.refresh_from_db()
    assert (returned.status, completed.status) == (CaseStatus.RESULTS_RETURNED, CaseStatus.COMPLETED)
