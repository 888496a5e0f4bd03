"""Routing on the three paths, a unit's flow from acceptance to completion, A/B posts, 督办."""

import datetime

import pytest
from django.utils import timezone

from daiban.assignment import current_handler
from daiban.models import CaseEvent, CaseStatus, FlowStatus, Notification, SupervisionNote, TaskForceMember
from daiban.permissions import cases_visible_to
from daiban.roles import CITY_GUIDANCE
from daiban.services import handling
from daiban.services.base import (
    ActionError,
    ActionPermissionDenied,
    ConcurrentUpdate,
    InvalidTransition,
    current_version,
)
from daiban.workdays import add_working_days
from tests.factories import city, staff_user
from tests.handling_setup import World, bundle, unit_with_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def flow_of(case, unit):
    return case.flows.get(unit=unit.unit)


def test_single_route_creates_one_flow_for_the_a_post_and_tells_them(world):
    case = world.accepted_case()
    case = handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)
    assert case.status == CaseStatus.IN_PROGRESS and case.route == "single"
    flow = case.flows.get()
    assert flow.assignee == world.co.a_post and flow.status == FlowStatus.ASSIGNED
    assert flow.due_date == case.due_date
    assert Notification.objects.filter(recipient=world.co.a_post.phone, body__contains=case.number).exists()
    assert CaseEvent.objects.filter(case=case, action="route").exists()


def test_the_b_post_takes_over_when_a_is_away(world):
    world.co.a_post.is_away = True
    world.co.a_post.save()
    case = world.accepted_case()
    handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)
    assert case.flows.get().assignee == world.co.b_post


def test_current_handler_follows_an_a_post_who_went_away_later(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    world.co.a_post.is_away = True
    world.co.a_post.save()
    flow.refresh_from_db()
    assert current_handler(flow) == world.co.b_post


def test_bundle_route_has_a_lead_flow_and_co_handling_flows(world):
    case = bundle(world)
    assert case.lead_unit == world.lead.unit
    flows = list(case.flows.all())
    assert [(f.unit, f.is_lead) for f in flows] == [(world.lead.unit, True), (world.co.unit, False)]


def test_only_the_window_of_the_centre_routes(world):
    case = world.accepted_case()
    with pytest.raises(ActionPermissionDenied):
        handling.route_single(case, unit=world.co.unit, user=world.lead.staff, version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.flows.exists()


def test_routing_twice_is_refused(world):
    case = bundle(world)
    with pytest.raises(InvalidTransition):
        handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)


def test_routing_with_a_stale_version_is_refused(world):
    case = world.accepted_case()
    with pytest.raises(ConcurrentUpdate, match="您填写的内容未丢失"):
        handling.route_single(
            case, unit=world.co.unit, user=world.window, version=case.version - 1 if case.version else 5
        )


def test_task_force_route_has_a_coordinator_members_and_a_flow_per_unit(world):
    coordinator = staff_user("县级审批局", region=world.centre.region)
    third = unit_with_staff("市自然资源和规划局")
    case = world.accepted_case()
    members = [(world.lead.a_post, "牵头"), (third.a_post, "规划许可"), (third.b_post, "")]
    case = handling.route_task_force(
        case,
        coordinator=coordinator,
        members=members,
        user=world.window,
        version=case.version,
        lead_unit=world.lead.unit,
    )
    assert case.route == "task_force" and case.coordinator == coordinator
    assert TaskForceMember.objects.filter(case=case).count() == 3
    assert sorted(f.unit.name for f in case.flows.all()) == sorted([world.lead.unit.name, third.unit.name])
    assert case.flows.get(is_lead=True).unit == world.lead.unit


def test_task_force_needs_a_coordinator_and_members(world):
    case = world.accepted_case()
    with pytest.raises(ActionError, match="专班负责人"):
        handling.route_task_force(
            case, coordinator=None, members=[(world.lead.a_post, "")], user=world.window, version=case.version
        )
    with pytest.raises(ActionError, match="专班成员"):
        handling.route_task_force(case, coordinator=world.bureau, members=[], user=world.window, version=case.version)


def test_lead_unit_brings_in_another_co_handling_unit(world):
    case = bundle(world)
    third = unit_with_staff("县人社局")
    flow = handling.add_co_handling_unit(case, unit=third.unit, user=world.lead.staff, version=case.version)
    assert flow.assignee == third.a_post and not flow.is_lead


def test_a_co_handling_unit_cannot_bring_in_units(world):
    case = bundle(world)
    third = unit_with_staff("县人社局")
    with pytest.raises(ActionPermissionDenied):
        handling.add_co_handling_unit(case, unit=third.unit, user=world.co.staff, version=case.version)
    assert case.flows.count() == 2


def test_accepting_a_flow_sets_notice_and_a_due_date_in_working_days(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    today = timezone.localdate()
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="资税受〔2026〕12号")
    assert flow.status == FlowStatus.ACCEPTED and flow.accepted_on == today
    assert flow.due_date == add_working_days(today, 5)
    assert flow.notice_no == "资税受〔2026〕12号"


def test_a_promised_case_needs_a_notice_number(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    with pytest.raises(ActionError, match="受理通知书"):
        handling.accept_flow(flow, user=world.co.staff, version=flow.version)
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ASSIGNED


def test_an_immediate_matter_is_due_the_same_day_without_notice(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, promised_days=0)
    assert flow.due_date == flow.accepted_on


def test_another_unit_cannot_act_on_a_flow(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    with pytest.raises(ActionPermissionDenied):
        handling.accept_flow(flow, user=world.lead.staff, version=flow.version, notice_no="x")
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ASSIGNED


def test_asking_for_more_materials_goes_back_to_the_window(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    handling.request_more_materials(flow, user=world.co.staff, version=flow.version, items="营业执照副本复印件1份")
    flow.refresh_from_db()
    assert flow.status == FlowStatus.NEEDS_MATERIALS
    event = CaseEvent.objects.get(case=case, action="request_materials")
    assert "营业执照副本复印件" in event.note
    told = Notification.objects.filter(body__contains="营业执照副本复印件")
    assert set(told.values_list("recipient", flat=True)) == {world.window_liaison.phone, world.window.email}
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS  # the case stays with the units
    handling.resume_flow(flow, user=world.co.staff, version=flow.version)
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ASSIGNED


def test_asking_for_materials_needs_the_list(world):
    case = bundle(world)
    flow = flow_of(case, world.co)
    with pytest.raises(ActionError, match="一次性告知"):
        handling.request_more_materials(flow, user=world.co.staff, version=flow.version, items="  ")


def accept_and_complete(world, case, unit, completed_on=None):
    flow = flow_of(case, unit)
    flow = handling.accept_flow(flow, user=unit.staff, version=flow.version, notice_no="N1")
    return handling.complete_flow(
        flow, user=unit.staff, version=flow.version, result_note="已办结", completed_on=completed_on
    )


def test_lead_unit_completes_last_then_results_are_back_at_the_window(world):
    case = bundle(world)
    lead = flow_of(case, world.lead)
    lead = handling.accept_flow(lead, user=world.lead.staff, version=lead.version, notice_no="N0")
    with pytest.raises(ActionError, match="协办单位尚未全部办结"):
        handling.complete_flow(lead, user=world.lead.staff, version=lead.version, result_note="完成")
    accept_and_complete(world, case, world.co)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.completed_at is None
    lead.refresh_from_db()
    handling.complete_flow(lead, user=world.lead.staff, version=lead.version, result_note="营业执照已核发")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED
    assert case.results_returned_at is not None and case.completed_at is not None
    assert Notification.objects.filter(recipient=world.window_liaison.phone, body__contains="各单位已办结").exists()


def test_case_completion_is_the_last_units_completion_date(world):
    case = handling.route_single(world.accepted_case(), unit=world.co.unit, user=world.window, version=0)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    flow = flow_of(case, world.co)
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="N", accepted_on=yesterday)
    handling.complete_flow(flow, user=world.co.staff, version=flow.version, result_note="好", completed_on=yesterday)
    case.refresh_from_db()
    assert timezone.localtime(case.completed_at).date() == yesterday


def test_completion_date_cannot_be_in_the_future_or_before_acceptance(world):
    case = handling.route_single(world.accepted_case(), unit=world.co.unit, user=world.window, version=0)
    flow = flow_of(case, world.co)
    flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="N")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ActionError, match="不能晚于今天"):
        handling.complete_flow(flow, user=world.co.staff, version=flow.version, result_note="x", completed_on=tomorrow)
    earlier = flow.accepted_on - datetime.timedelta(days=3)
    with pytest.raises(ActionError, match="不能早于受理日期"):
        handling.complete_flow(flow, user=world.co.staff, version=flow.version, result_note="x", completed_on=earlier)


def test_supervision_note_by_the_county_bureau_reaches_the_open_flows(world):
    case = bundle(world)
    note = handling.add_supervision_note(
        case, user=world.bureau, text="请加快办理", escalated=True, version=current_version(case)
    )
    assert note.escalated
    assert Notification.objects.filter(recipient=world.co.a_post.phone, body__contains="提级督办").exists()
    assert CaseEvent.objects.filter(case=case, action="supervise").exists()


def test_unit_staff_cannot_write_supervision_notes(world):
    case = bundle(world)
    with pytest.raises(ActionPermissionDenied):
        handling.add_supervision_note(case, user=world.co.staff, text="催办", version=current_version(case))
    assert not SupervisionNote.objects.exists()


def test_another_countys_bureau_cannot_supervise(world):
    from tests.factories import county

    other = staff_user("县级审批局", region=county("威远县"))
    case = bundle(world)
    with pytest.raises(ActionPermissionDenied):
        handling.add_supervision_note(case, user=other, text="催办", version=current_version(case))


def test_the_city_sees_a_units_flow_but_cannot_act_on_it(world):
    """Seeing is not acting: the city's 审批指导科 supervises; only the unit's own 帮办代办员 handles its flow."""
    city_guidance = staff_user(CITY_GUIDANCE, region=city())
    case = bundle(world)
    flow = flow_of(case, world.co)
    assert cases_visible_to(city_guidance).filter(pk=case.pk).exists()
    with pytest.raises(ActionPermissionDenied):
        handling.accept_flow(flow, user=city_guidance, version=flow.version, notice_no="市受〔2026〕1号")
    with pytest.raises(ActionPermissionDenied):
        handling.add_co_handling_unit(case, unit=world.lead.unit, user=city_guidance, version=case.version)
    flow.refresh_from_db()
    assert flow.status == FlowStatus.ASSIGNED and flow.accepted_on is None
    note = handling.add_supervision_note(case, user=city_guidance, text="请按期办结。", version=current_version(case))
    assert note.author == city_guidance
