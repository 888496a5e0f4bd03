"""我的待办 (daiban.queues, daiban.views.work_queue): each role's sections, their order, their scope, and
a constant number of queries on the dashboard and the page however many rows lie behind them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from daiban import queues
from daiban.models import (
    CaseStatus,
    Channel,
    DeferredMaterial,
    Evaluation,
    EvaluationMethod,
    FlowStatus,
    FollowUp,
    Handover,
    HandoverParty,
    OneTimeNotice,
    Satisfaction,
    SpecialGroup,
    SupervisionNote,
    UnitFlow,
)
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, GUIDE_EDITOR, UNIT_STAFF, WINDOW_STAFF
from daiban.services import handovers, intake
from daiban.services.audit import record
from daiban.services.base import current_version
from tests.factories import CaseFactory, CentreFactory, UnitFactory, city, county, matter, staff_user
from tests.handling_setup import unit_with_staff
from tests.intake_setup import grant_admin_access

pytestmark = pytest.mark.django_db

QUEUE = "/admin/my-queue/"
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


class County:
    """A county with its centre, the centre's window clerk, a unit with its 帮办代办员 and the county bureau."""

    def __init__(self, name):
        self.region = county(name)
        window_unit = UnitFactory(name=f"{name}行政审批局", region=self.region)
        self.centre = CentreFactory(name=f"{name}政务服务中心", region=self.region, window_unit=window_unit)
        self.unit = unit_with_staff(f"{name}市场监督管理局", region=self.region)
        self.window = staff_user(WINDOW_STAFF, centre=self.centre)
        self.bureau = staff_user(COUNTY_BUREAU, region=self.region)
        self.matter = matter(title=f"{name}食品经营许可", unit=self.unit.unit, promised_days=5)

    def case(self, status, **kwargs):
        kwargs.setdefault("matter", self.matter)
        kwargs.setdefault("matter_text", self.matter.title)
        return CaseFactory(centre=self.centre, status=status, **kwargs)

    def flow(self, case, status=FlowStatus.ASSIGNED, due_date=None):
        return UnitFlow.objects.create(
            case=case, unit=self.unit.unit, status=status, due_date=due_date or TODAY() + 10 * DAY
        )

    def fill(self, n):
        """n rows in every section of every role."""
        now = timezone.now()
        for _ in range(n):
            self.case(CaseStatus.SUBMITTED, channel=Channel.ONLINE)
            corrected = self.case(CaseStatus.SUBMITTED)
            OneTimeNotice.objects.create(case=corrected, supplemented_at=now)
            record(corrected, "supplement_online", "申请人在网上提交补正材料，重新甄别", actor_label="申请人")
            deferred = self.case(CaseStatus.ACCEPTED, accepted_at=now, due_date=TODAY() + 10 * DAY)
            DeferredMaterial.objects.create(case=deferred, name="营业执照副本", due_date=TODAY())
            self.case(CaseStatus.RESULTS_RETURNED, results_returned_at=now, due_date=TODAY() + DAY)
            self.case(CaseStatus.COMPLETED, completed_at=now - 5 * DAY)
            bad = self.case(CaseStatus.COMPLETED, completed_at=now - 5 * DAY)
            evaluation = Evaluation.objects.create(
                case=bad, level=Satisfaction.DISSATISFIED, method=EvaluationMethod.PHONE, evaluated_at=now
            )
            FollowUp.objects.create(evaluation=evaluation)
            late = self.case(CaseStatus.IN_PROGRESS, accepted_at=now - 20 * DAY, due_date=TODAY() - 2 * DAY)
            self.flow(late, FlowStatus.ASSIGNED, due_date=TODAY() - 2 * DAY)
            working = self.case(CaseStatus.IN_PROGRESS, accepted_at=now, due_date=TODAY() + 9 * DAY)
            self.flow(working, FlowStatus.ACCEPTED)
            Handover.objects.create(
                case=working, from_party=HandoverParty.WINDOW, to_party=HandoverParty.UNIT, to_unit=self.unit.unit
            )
            SupervisionNote.objects.create(case=working, text="请加快办理", escalated=True)


@pytest.fixture
def two():
    grant_admin_access(WINDOW_STAFF, UNIT_STAFF, COUNTY_BUREAU, CITY_GUIDANCE, GUIDE_EDITOR)
    # Both regions first: regions are ordered by name, so adding one may renumber the other's path.
    county("资中县"), county("威远县")
    return County("资中县"), County("威远县")


def keys(user):
    return [section.key for section in queues.sections_for(user)]


def numbers(user, key):
    section = queues.section_for(user, key)
    assert section is not None, key
    items = list(section.queryset)
    if section.kind in ("flow", "deferred", "handover"):
        return [item.case.number for item in items]
    if section.kind == "follow_up":
        return [item.evaluation.case.number for item in items]
    return [item.number for item in items]


# What each role has -------------------------------------------------------------------------------


def test_each_role_gets_its_own_sections(two):
    a, _b = two
    guide = staff_user(CITY_GUIDANCE, region=city())
    editor = staff_user(GUIDE_EDITOR, unit=a.unit.unit)
    assert keys(a.window) == ["screening", "corrections", "deferred", "results", "evaluations", "follow_ups"]
    assert keys(a.unit.staff) == ["flows_to_accept", "flows_to_complete", "handovers"]
    assert keys(a.bureau) == keys(guide) == ["overdue_cases", "overdue_flows", "supervision"]
    assert keys(editor) == [] and not queues.has_queue(editor)


def test_window_sections_hold_what_the_window_must_do(two):
    a, _b = two
    a.fill(1)
    # Not the window's work: an accepted case with nothing due, a case already evaluated without complaint,
    # a 容缺 material due in two weeks, one already received.
    a.case(CaseStatus.ACCEPTED, due_date=TODAY() + 10 * DAY)
    calm = a.case(CaseStatus.COMPLETED, completed_at=timezone.now())
    Evaluation.objects.create(
        case=calm, level=Satisfaction.SATISFIED, method=EvaluationMethod.ONLINE, evaluated_at=timezone.now()
    )
    later = a.case(CaseStatus.ACCEPTED, due_date=TODAY() + 20 * DAY)
    DeferredMaterial.objects.create(case=later, name="租赁合同", due_date=TODAY() + 14 * DAY)
    DeferredMaterial.objects.create(case=later, name="卫生许可", due_date=TODAY(), received_at=timezone.now())
    counts = {section.key: section.queryset.count() for section in queues.sections_for(a.window)}
    assert counts == {
        "screening": 1,
        "corrections": 1,
        "deferred": 1,
        "results": 1,
        "evaluations": 1,
        "follow_ups": 1,
    }
    corrections = queues.section_for(a.window, "corrections").queryset.get()
    assert corrections.online is True


def test_an_online_request_is_new_until_the_staff_act_on_it(two):
    a, _b = two
    case = intake.submit_online(
        {
            "applicant_name": "王建国",
            "contact_name": "王建国",
            "contact_phone": "13800001234",
            "matter": a.matter,
            "centre": a.centre,
        }
    )
    walk_in = a.case(CaseStatus.SUBMITTED, channel=Channel.WINDOW)
    screening = queues.section_for(a.window, "screening").queryset
    assert {c.number: c.is_new for c in screening} == {case.number: 1, walk_in.number: 0}

    # Any staff action on the case (here: the window records the papers it received) ends "新".
    handovers.create_handover(
        case,
        user=a.window,
        version=current_version(case),
        from_party=HandoverParty.APPLICANT,
        to_party=HandoverParty.WINDOW,
        items=[("居民身份证", 1)],
    )
    assert {c.number: c.is_new for c in screening.all()} == {case.number: 0, walk_in.number: 0}


def test_unit_staff_see_only_their_units_flows_and_handovers(two):
    a, b = two
    a.fill(1)
    b.fill(2)
    other_unit = unit_with_staff("资中县税务局", region=a.region)
    shared = a.case(CaseStatus.IN_PROGRESS, due_date=TODAY() + 5 * DAY)
    UnitFlow.objects.create(case=shared, unit=other_unit.unit, status=FlowStatus.ASSIGNED)
    counts = {section.key: section.queryset.count() for section in queues.sections_for(a.unit.staff)}
    assert counts == {"flows_to_accept": 1, "flows_to_complete": 1, "handovers": 1}
    assert {flow.unit for flow in queues.section_for(a.unit.staff, "flows_to_accept").queryset} == {a.unit.unit}
    assert numbers(other_unit.staff, "flows_to_accept") == [shared.number]


def test_county_bureau_sees_its_region_and_the_city_sees_all(two):
    a, b = two
    a.fill(1)
    b.fill(2)
    guide = staff_user(CITY_GUIDANCE, region=city())
    for user, expected in ((a.bureau, 1), (b.bureau, 2), (guide, 3)):
        counts = {section.key: section.queryset.count() for section in queues.sections_for(user)}
        assert counts == {"overdue_cases": expected, "overdue_flows": expected, "supervision": expected}
    regions = {case.region for case in queues.section_for(a.bureau, "overdue_cases").queryset}
    assert regions == {a.region}


# Order: 绿色通道 first, then the deadline, then the oldest ------------------------------------------------


def test_green_channel_first_then_earliest_deadline_then_oldest(two):
    a, _b = two
    now = timezone.now()

    def returned(due, special_group="", returned_days_ago=1):
        return a.case(
            CaseStatus.RESULTS_RETURNED,
            due_date=TODAY() + due * DAY,
            special_group=special_group,
            results_returned_at=now - returned_days_ago * DAY,
        )

    late_plain = returned(9)
    soon_plain_newer = returned(1, returned_days_ago=1)
    soon_plain_older = returned(1, returned_days_ago=3)
    green_late = returned(8, SpecialGroup.ELDERLY)
    green_soon = returned(2, SpecialGroup.DISABLED)
    assert numbers(a.window, "results") == [
        green_soon.number,
        green_late.number,
        soon_plain_older.number,
        soon_plain_newer.number,
        late_plain.number,
    ]

    # The same for a unit's flows.
    def assigned(due, special_group=""):
        case = a.case(CaseStatus.IN_PROGRESS, special_group=special_group, due_date=TODAY() + due * DAY)
        a.flow(case, FlowStatus.ASSIGNED, due_date=TODAY() + due * DAY)
        return case

    plain_soon, green_far, plain_far = assigned(1), assigned(12, SpecialGroup.MILITARY), assigned(6)
    assert numbers(a.unit.staff, "flows_to_accept") == [green_far.number, plain_soon.number, plain_far.number]


# Scope, tried through the pages ---------------------------------------------------------------------


def listed_numbers(response):
    return set(re.findall(r"BD\d{12}", response.content.decode()))


def test_pages_never_show_another_countys_or_units_items(client, two):
    a, b = two
    a.fill(1)
    b.fill(1)
    numbers_a = {c.number for c in CaseFactory._meta.model.objects.filter(centre=a.centre)}
    numbers_b = {c.number for c in CaseFactory._meta.model.objects.filter(centre=b.centre)}
    for user, own, sections in (
        (a.window, numbers_a, keys(a.window)),
        (b.window, numbers_b, keys(b.window)),
        (a.unit.staff, numbers_a, keys(a.unit.staff)),
        (b.unit.staff, numbers_b, keys(b.unit.staff)),
        (a.bureau, numbers_a, keys(a.bureau)),
        (b.bureau, numbers_b, keys(b.bureau)),
    ):
        client.force_login(user)
        seen = listed_numbers(client.get("/admin/"))
        for key in sections:
            response = client.get(QUEUE, {"section": key})
            assert response.status_code == 200
            seen |= listed_numbers(response)
        assert seen and seen <= own, (user, seen - own)


def test_another_roles_section_is_404_and_no_queue_is_refused(client, two):
    a, _b = two
    client.force_login(a.window)
    assert client.get(QUEUE, {"section": "flows_to_accept"}).status_code == 404
    assert client.get(QUEUE, {"section": "overdue_cases"}).status_code == 404
    client.force_login(a.unit.staff)
    assert client.get(QUEUE, {"section": "screening"}).status_code == 404
    editor = staff_user(GUIDE_EDITOR, unit=a.unit.unit)
    client.force_login(editor)
    refused = client.get(QUEUE)  # Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard
    assert refused.status_code == 302 and refused.url == "/admin/"
    assert "我的待办" not in client.get("/admin/").content.decode()


def test_dashboard_shows_counts_and_links_to_the_full_page(client, two):
    a, _b = two
    a.fill(7)
    client.force_login(a.window)
    body = client.get("/admin/").content.decode()
    assert 'data-section="screening">7<' in body
    assert "仅显示前 5 项" in body and 'href="/admin/my-queue/?section=screening"' in body
    assert "我的待办" in body
    page = client.get(QUEUE, {"section": "screening"})
    assert page.status_code == 200 and page.content.decode().count("<td>网上申请</td>") == 7


def test_the_full_page_paginates(client, two, settings):
    a, _b = two
    a.fill(1)
    for _ in range(34):
        a.case(CaseStatus.SUBMITTED)
    client.force_login(a.window)
    first = client.get(QUEUE, {"section": "screening"}).content.decode()
    second = client.get(QUEUE, {"section": "screening", "p": 2}).content.decode()
    assert len(listed_numbers_text(first)) == 30 and len(listed_numbers_text(second)) == 5
    assert "下一页" in first and "上一页" in second and "下一页" not in second
    assert not listed_numbers_text(first) & listed_numbers_text(second)


def listed_numbers_text(body):
    return set(re.findall(r">(BD\d{12})</a>", body))


def test_counts_stop_at_the_cap(client, two, monkeypatch):
    from daiban.views import panels

    a, _b = two
    a.fill(4)
    monkeypatch.setattr(panels, "COUNT_CAP", 3)
    client.force_login(a.window)
    assert 'data-section="screening">3+<' in client.get("/admin/").content.decode()


# Constant queries ---------------------------------------------------------------------------------


def queries_of(client, url, params=None):
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_queries_stay_constant_when_rows_triple(client, two):
    a, _b = two
    guide = staff_user(CITY_GUIDANCE, region=city())
    people = {"窗口": a.window, "单位": a.unit.staff, "县局": a.bureau, "市指导科": guide}
    counts = {}
    for total in (2, 6):
        a.fill(total - (2 if total == 6 else 0))
        for role, user in people.items():
            client.force_login(user)
            pages = [queries_of(client, "/admin/")]
            for key in keys(user):
                pages.append(queries_of(client, QUEUE, {"section": key}))
            counts[total, role] = pages
    for role in people:
        assert counts[2, role] == counts[6, role], (role, counts)
