"""One deadline story: the case's committed date is the latest flow date, else the matter's; told to the applicant."""

import datetime

import pytest
from django.utils import timezone

from daiban.deadlines import case_committed_date, matter_committed_date, public_deadline
from daiban.models import CaseStatus, FlowStatus
from daiban.services import handling
from daiban.workdays import add_working_days
from tests.handling_setup import World, bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_a_later_unit_date_moves_the_case_date(world):
    case = bundle(world)
    flow = case.flows.get(unit=world.co.unit)
    handling.accept_flow(
        flow, user=world.co.staff, version=flow.version, notice_no="资税受〔2026〕1号", promised_days=20
    )
    case.refresh_from_db()
    later = add_working_days(timezone.localdate(), 20)
    assert case.due_date == later == case_committed_date(case)
    assert max(case.flows.values_list("due_date", flat=True)) == case.due_date


def test_without_flows_the_matter_date_holds(world):
    case = bundle(world)
    case.flows.update(status=FlowStatus.CANCELLED)
    assert case_committed_date(case) == matter_committed_date(case) is not None


def test_public_deadline_explains_a_passed_date(world):
    case = bundle(world)
    today = timezone.localdate()
    case.due_date = today - datetime.timedelta(days=1)
    state = public_deadline(case, today)
    assert state.passed and "已超期" in state.reason
    case.flows.update(status=FlowStatus.NEEDS_MATERIALS)
    assert "等待补充材料" in public_deadline(case, today).reason
    case.status = CaseStatus.PENDING_SUPPLEMENT
    state = public_deadline(case, today)
    assert not state.passed and "补正" in state.reason
    case.status = CaseStatus.IN_PROGRESS
    case.due_date = today + datetime.timedelta(days=3)
    case.flows.update(status=FlowStatus.ACCEPTED)
    assert public_deadline(case, today) == (case.due_date, False, "")
