"""A department's own window (policy 三（三）2): its 帮办代办员 take requests "在本进驻窗口"; the case is accepted by
and counted for the department, and stays in the centre window's ledger."""

import pytest
from django.utils import timezone

from daiban.models import Case, CaseStatus, Channel
from daiban.roles import UNIT_STAFF
from daiban.services import intake
from daiban.services.base import ActionPermissionDenied, current_version
from daiban.statistics import Period, statistics_table
from tests.factories import LiaisonFactory, UnitFactory, staff_user
from tests.intake_setup import PASSWORD, World, apply_post, grant_admin_access

pytestmark = pytest.mark.django_db

REGISTER = "/admin/cases/register/"
LEDGER = "/admin/daiban/case/"


@pytest.fixture
def world():
    world = World()
    grant_admin_access(UNIT_STAFF)
    # world.unit (资中县社会保险事业管理局) is stationed at 资中县政务服务中心; its 帮办代办员 has a login.
    world.clerk = staff_user(UNIT_STAFF, unit=world.unit, username="zz_sbj")
    world.tax = UnitFactory(name="资中县税务局", region=world.zizhong)
    world.tax.centres.add(world.centre)
    world.tax_clerk = staff_user(UNIT_STAFF, unit=world.tax, username="zz_tax")
    # Routing needs someone of each unit who can log in (daiban.assignment).
    LiaisonFactory(unit=world.unit, user=world.clerk)
    LiaisonFactory(unit=world.tax, user=world.tax_clerk)
    return world


def login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def registration(world, **overrides):
    data = apply_post(world, **{"channel": Channel.WINDOW, "department": str(world.unit.pk), **overrides})
    data.pop("website")
    return data


def accept_post(case):
    return {"version": case.version, "window_opinion": "符合", "deferred-TOTAL_FORMS": 0, "deferred-INITIAL_FORMS": 0}


def register_and_accept(client, world):
    response = client.post(REGISTER, registration(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    response = client.post(f"/admin/cases/{case.pk}/action/accept/", accept_post(case))
    assert response.status_code == 302
    case.refresh_from_db()
    return case


def test_the_register_page_offers_the_department_window_to_its_clerk(client, world):
    html = login(client, "zz_sbj").get(REGISTER).content.decode()
    assert "受理窗口" in html and "资中县社会保险事业管理局" in html
    assert "资中县政务服务中心" in html and "威远县政务服务中心" not in html


def test_department_registers_and_accepts_and_the_case_counts_for_it(client, world, sms_outbox):
    case = register_and_accept(login(client, "zz_sbj"), world)
    assert case.status == CaseStatus.ACCEPTED
    assert case.centre == world.centre and case.received_by == world.clerk
    assert case.accepting_unit == world.unit  # not the centre's window unit (资中县行政审批局)
    assert list(world.unit.accepted_cases.all()) == [case]
    assert not world.bureau_unit.accepted_cases.exists()
    labels = list(case.events.order_by("pk").values_list("label", flat=True))
    assert labels[0] == "窗口登记申请（资中县社会保险事业管理局进驻窗口，窗口）"
    assert case.events.get(action="accept").actor == world.clerk


def test_the_centre_window_still_has_it_in_its_ledger(client, world, sms_outbox):
    case = register_and_accept(login(client, "zz_sbj"), world)
    client.logout()
    window = login(client, "zz_window")
    assert case.number in window.get(LEDGER).content.decode()
    assert window.get(f"/admin/cases/{case.pk}/").status_code == 200
    clerk_ledger = login(client, "zz_sbj").get(LEDGER).content.decode()
    assert case.number in clerk_ledger


def test_another_county_window_cannot_see_it(client, world, sms_outbox):
    case = register_and_accept(login(client, "zz_sbj"), world)
    client.logout()
    other = login(client, "wy_window")
    assert case.number not in other.get(LEDGER).content.decode()
    assert other.get(f"/admin/cases/{case.pk}/").status_code == 404
    assert other.get(f"/admin/cases/{case.pk}/print/application/").status_code == 404


def test_staff_of_another_unit_cannot_act_on_it(client, world, sms_outbox):
    response = login(client, "zz_sbj").post(REGISTER, registration(world))
    case = Case.objects.get()
    client.logout()
    tax = login(client, "zz_tax")
    assert tax.get(f"/admin/cases/{case.pk}/").status_code == 404
    response = tax.post(f"/admin/cases/{case.pk}/action/accept/", accept_post(case))
    assert response.status_code == 404
    with pytest.raises(ActionPermissionDenied):
        intake.accept(case, user=world.tax_clerk, window_opinion="符合", version=case.version)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.accepted_at is None


def test_a_clerk_cannot_register_for_another_unit_or_at_a_centre_it_is_not_stationed_at(client, world):
    tax = login(client, "zz_tax")
    response = tax.post(REGISTER, registration(world))
    assert response.status_code == 400
    response = tax.post(REGISTER, registration(world, department=str(world.tax.pk), centre=str(world.other_centre.pk)))
    assert response.status_code == 400
    assert Case.objects.count() == 0
    with pytest.raises(ActionPermissionDenied):
        intake.register_at_window(world.tax_clerk, world.details(), department=world.unit)
    assert Case.objects.count() == 0


def test_a_clerk_is_not_the_window_of_the_centre_s_own_cases(client, world, sms_outbox):
    case = world.online_case()
    with pytest.raises(ActionPermissionDenied):
        intake.accept(case, user=world.clerk, window_opinion="符合", version=case.version)
    accepted = world.case_in(CaseStatus.ACCEPTED)
    assert accepted.accepting_unit == world.bureau_unit


def test_the_centre_window_registers_at_its_own_window_as_before(client, world, sms_outbox):
    window = login(client, "zz_window")
    assert "受理窗口" not in window.get(REGISTER).content.decode()
    data = registration(world)
    response = window.post(REGISTER, data)
    assert response.status_code == 302
    case = Case.objects.get()
    intake.accept(case, user=world.window, window_opinion="符合", version=case.version)
    case.refresh_from_db()
    assert case.accepting_unit == world.bureau_unit


def test_the_department_carries_its_case_through_to_the_archive(client, world, sms_outbox):
    from daiban.models import EvaluationMethod, Satisfaction
    from daiban.services import handling, results

    case = register_and_accept(login(client, "zz_sbj"), world)
    case = handling.route_single(case, unit=world.unit, user=world.clerk, version=case.version)
    flow = case.flows.get()
    handling.accept_flow(flow, user=world.clerk, version=flow.version, notice_no="资社保受〔2026〕1号")
    flow.refresh_from_db()
    handling.complete_flow(flow, user=world.clerk, version=flow.version, result_note="已办结")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULTS_RETURNED
    results.record_pickup(
        case, user=world.clerk, collected_by="王建国", identity_checked=True, version=current_version(case)
    )
    case.refresh_from_db()
    with pytest.raises(ActionPermissionDenied):
        results.record_evaluation(
            case,
            user=world.tax_clerk,
            level=Satisfaction.SATISFIED,
            method=EvaluationMethod.PHONE,
            version=current_version(case),
        )
    results.record_evaluation(
        case,
        user=world.clerk,
        level=Satisfaction.SATISFIED,
        method=EvaluationMethod.ON_SITE,
        version=current_version(case),
    )
    results.archive_case(
        Case.objects.get(pk=case.pk), user=world.clerk, version=current_version(Case.objects.get(pk=case.pk))
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED and case.accepting_unit == world.unit
    page = client.get(f"/admin/results/cases/{case.pk}/feedback/print/").content.decode()
    assert "13800001234" in page  # the department's window copy


def test_the_case_counts_in_the_departments_row_of_attachment_8_not_the_windows(client, world, sms_outbox):
    """附件8: the department that took the request at its own window accepted it (hand-counted: 1 and 0)."""
    register_and_accept(login(client, "zz_sbj"), world)
    month = Period.containing(timezone.localdate())
    rows = {row.name: row.figures for row in statistics_table(month) if not row.is_region}
    assert (rows["资中县社会保险事业管理局"].accepted, rows["资中县社会保险事业管理局"].in_progress) == (1, 1)
    assert rows["资中县行政审批局"].accepted == 0  # the centre's window unit keeps its row, with zeros
