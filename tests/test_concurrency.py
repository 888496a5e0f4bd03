"""Two staff acting on the same case or flow at once: exactly one succeeds, the other is told and loses nothing.

The threaded tests need PostgreSQL (row locks); the stale-form path runs everywhere.
"""

import pytest

from daiban.models import CaseEvent, CaseStatus
from daiban.services import handling
from daiban.services.base import ConcurrentUpdate
from tests.handling_setup import World, bundle
from tests.threads import POSTGRES_THREADS, in_parallel, outcome


@pytest.fixture
def world():
    return World()


class TestOnPostgres:
    pytestmark = POSTGRES_THREADS

    def test_two_staff_accept_the_same_flow(self, on_postgres, world, monkeypatch):
        from tests.factories import staff_user

        case = bundle(world)
        flow = case.flows.get(unit=world.co.unit)
        colleague = staff_user("单位帮办代办员", unit=world.co.unit)
        results = in_parallel(
            lambda: handling.accept_flow(flow, user=world.co.staff, version=flow.version, notice_no="甲-1"),
            lambda: handling.accept_flow(flow, user=colleague, version=flow.version, notice_no="乙-2"),
            slow=(handling, "add_working_days"),
            monkeypatch=monkeypatch,
        )
        succeeded, errors = outcome(results)
        assert succeeded == 1
        assert len(errors) == 1 and isinstance(errors[0], ConcurrentUpdate)
        assert "已被其他人处理" in str(errors[0])
        flow.refresh_from_db()
        assert flow.version == 1 and flow.notice_no in ("甲-1", "乙-2")
        assert CaseEvent.objects.filter(case=case, action="accept_flow").count() == 1

    def test_two_windows_route_the_same_case(self, on_postgres, world, monkeypatch):
        from tests.factories import staff_user

        case = world.accepted_case()
        colleague = staff_user("帮办代办窗口人员", centre=world.centre)
        results = in_parallel(
            lambda: handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version),
            lambda: handling.route_bundle(
                case, lead_unit=world.lead.unit, co_units=[world.co.unit], user=colleague, version=case.version
            ),
            slow=(handling, "assignee_for"),
            monkeypatch=monkeypatch,
        )
        succeeded, errors = outcome(results)
        assert succeeded == 1 and isinstance(errors[0], ConcurrentUpdate)
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert CaseEvent.objects.filter(case=case, action="route").count() == 1
        assert case.flows.count() == (1 if case.route == "single" else 2)

    def test_the_last_two_units_finishing_together_return_the_results_once(self, on_postgres, world, monkeypatch):
        case = world.accepted_case()
        case = handling.route_single(case, unit=world.co.unit, user=world.window, version=case.version)
        handling.add_co_handling_unit(case, unit=world.lead.unit, user=world.window, version=case.version)
        flows = []
        for unit in (world.co, world.lead):
            flow = case.flows.get(unit=unit.unit)
            flows.append((handling.accept_flow(flow, user=unit.staff, version=flow.version, notice_no="N"), unit))
        results = in_parallel(
            *[
                (lambda f=f, u=u: handling.complete_flow(f, user=u.staff, version=f.version, result_note="办结"))
                for f, u in flows
            ],
            slow=(handling, "record"),
            monkeypatch=monkeypatch,
        )
        assert outcome(results) == (2, [])
        case.refresh_from_db()
        assert case.status == CaseStatus.RESULTS_RETURNED
        assert CaseEvent.objects.filter(case=case, action="return_results").count() == 1
