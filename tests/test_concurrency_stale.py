"""Two staff acting one after the other: the second form carries an old version and is refused."""

import pytest

from daiban.models import FlowStatus, UnitFlow
from daiban.services import handling
from daiban.services.base import ActionError, ConcurrentUpdate
from tests.handling_setup import World, bundle


@pytest.fixture
def world():
    return World()


@pytest.mark.django_db
class TestStaleForms:
    """The same race, one after the other: the second form carries an old version."""

    def test_second_accept_of_a_flow_is_refused_and_changes_nothing(self, world):
        case = bundle(world)
        flow = case.flows.get(unit=world.co.unit)
        seen = flow.version
        handling.accept_flow(flow, user=world.co.staff, version=seen, notice_no="甲-1")
        with pytest.raises(ConcurrentUpdate, match="您填写的内容未丢失"):
            handling.accept_flow(flow, user=world.co.staff, version=seen, notice_no="乙-2")
        flow.refresh_from_db()
        assert flow.notice_no == "甲-1"

    def test_completing_from_a_stale_page_is_refused(self, world):
        case = bundle(world)
        flow = case.flows.get(unit=world.co.unit)
        flow = handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="N")
        stale = flow.version
        handling.request_more_materials(flow, user=world.co.staff, version=stale, items="补充说明")
        with pytest.raises(ActionError):
            handling.complete_flow(flow, user=world.co.staff, version=stale, result_note="结果")
        assert UnitFlow.objects.get(pk=flow.pk).status == FlowStatus.NEEDS_MATERIALS

    def test_second_routing_from_a_stale_page_is_refused(self, world):
        case = world.accepted_case()
        seen = case.version
        handling.route_single(case, unit=world.co.unit, user=world.window, version=seen)
        with pytest.raises(ConcurrentUpdate):
            handling.route_bundle(case, lead_unit=world.lead.unit, co_units=[], user=world.window, version=seen)
        case.refresh_from_db()
        assert case.route == "single" and case.flows.count() == 1

    def test_two_units_on_their_own_flows_do_not_block_each_other(self, world):
        case = bundle(world)
        co = case.flows.get(unit=world.co.unit)
        lead = case.flows.get(unit=world.lead.unit)
        handling.accept_flow(co, user=world.co.staff, version=co.version, notice_no="A")
        handling.accept_flow(lead, user=world.lead.staff, version=lead.version, notice_no="B")
        assert set(case.flows.values_list("status", flat=True)) == {FlowStatus.ACCEPTED}
