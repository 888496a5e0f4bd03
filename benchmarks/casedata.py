"""Many cases quickly, for benchmarks and the query-plan tests.

On PostgreSQL one INSERT … SELECT over generate_series writes the cases (a million in about a minute);
on SQLite the same rows are bulk-created from Python. Every tenth case is withdrawn, six in ten are
completed three days after acceptance (four in five of those evaluated), the rest are open with a due
date ten days on, so the ledger's filters, the 超时预警 and 附件8 all have work to do.
"""

import datetime

from django.db import connection
from django.utils import timezone

from daiban.models import (
    Case,
    CaseStatus,
    CentreLevel,
    Evaluation,
    EvaluationMethod,
    FlowStatus,
    RegionLevel,
    Satisfaction,
    UnitFlow,
)
from tests.factories import CentreFactory, UnitFactory, city, county

LEVELS = list(Satisfaction.values)
AREAS = ["市中区", "东兴区", "威远县", "资中县", "隆昌市", "内江经开区", "内江高新区"]
# Cases accepted longer ago than this before `end` are finished (completed or withdrawn), as in life.
OPEN_DAYS = datetime.timedelta(days=45)
# Routes as a city sees them over a year: mostly one unit, some 一件事一次办, few 专班, some not routed
# (rejected, withdrawn or still being screened). Twenty cases at a time.
ROUTES = ["single"] * 14 + ["bundle"] * 2 + ["task_force"] + [""] * 3

_CASES_SQL = """
INSERT INTO daiban_case (
    number, query_code, channel, status, applicant_name, is_company, contact_name, contact_phone, id_number,
    email, matter_text, service_form, service_form_other, units_text, description, delivery, recipient_name,
    recipient_phone, recipient_address, special_group, window_opinion, rejection_reason, redirect_unit, route,
    result_note, collected_by, identity_checked, courier_company, tracking_number, submitted_at, accepted_at,
    due_date, completed_at, closed_at, updated_at, version, imported_from, import_key, region_id, centre_id,
    accepting_unit_id, visit_address, visit_time
)
SELECT
    %(prefix)s || lpad(g.i::text, 12, '0'), '000000', 'window', k.status,
    '压测申请人' || g.i, false, '压测联系人', '138' || lpad((g.i %% 100000000)::text, 8, '0'), '', '',
    '城镇职工基本养老保险关系转移接续', 'proxy', '', '', '', 'pickup', '', '', '',
    CASE WHEN g.i %% 17 = 0 THEN 'elderly' ELSE '' END, '', '', '',
    (%(routes)s::text[])[1 + g.i %% 20], '', '', false, '', '',
    t.at, t.at + interval '1 hour', ((t.at + interval '10 days') AT TIME ZONE 'Asia/Shanghai')::date,
    CASE WHEN k.status = 'completed' THEN t.at + interval '3 days' END,
    CASE WHEN k.status = 'withdrawn' THEN t.at + interval '2 days' END,
    t.at, 0, '', '', u.region_id, u.centre_id, u.unit_id, '', ''
FROM generate_series(1, %(count)s) AS g(i)
CROSS JOIN LATERAL (
    SELECT %(start)s::timestamptz + (%(span)s::float8 * g.i / %(count)s) * interval '1 second' AS at
) AS t
CROSS JOIN LATERAL (
    SELECT CASE WHEN g.i %% 10 = 9 THEN 'withdrawn' WHEN g.i %% 10 < 6 OR t.at < %(open_after)s THEN 'completed'
                WHEN g.i %% 10 < 8 THEN 'in_progress' ELSE 'accepted' END AS status
) AS k
JOIN (
    SELECT unnest(%(units)s::bigint[]) AS unit_id, unnest(%(centres)s::bigint[]) AS centre_id,
           unnest(%(regions)s::bigint[]) AS region_id, generate_subscripts(%(units)s::bigint[], 1) - 1 AS k
) AS u ON u.k = g.i %% %(nunits)s
"""

_EVALUATIONS_SQL = """
INSERT INTO daiban_evaluation (case_id, level, method, comment, evaluated_at)
SELECT id, (ARRAY['very_satisfied','satisfied','basically_satisfied','dissatisfied','very_dissatisfied'])[1 + id %% 5],
       'online', '', completed_at
FROM daiban_case WHERE number LIKE %(like)s AND status = 'completed' AND id %% 5 <> 4
"""

_FLOWS_SQL = """
INSERT INTO daiban_unitflow (case_id, unit_id, is_lead, status, assigned_at, accepted_on, notice_no, due_date,
                             completed_on, result_note, version)
SELECT id, accepting_unit_id, true, 'accepted', accepted_at, accepted_at::date, '', due_date, NULL, '', 0
FROM daiban_case WHERE number LIKE %(like)s AND status IN ('in_progress', 'accepted')
"""


def organisation():
    """The city centre with its window and departments, each area's bureau window, departments with no case."""
    root = city()
    city_window = UnitFactory(name="内江市政务服务管理局", region=root)
    city_centre = CentreFactory(name="内江市政务服务中心", region=root, window_unit=city_window)
    for name in ("内江市市场监督管理局", "内江市人力资源和社会保障局", "内江市住房公积金管理中心"):
        UnitFactory(name=name, region=root).centres.add(city_centre)
    windows = [(city_window, city_centre)]
    for name in AREAS:
        area = county(name)
        suffix = "行政审批服务局" if name.startswith("内江") else "行政审批局"
        unit = UnitFactory(name=f"{name}{suffix}", region=area)
        centre = CentreFactory(name=f"{name}政务服务中心", region=area, window_unit=unit)
        windows.append((unit, centre))
        UnitFactory(name=f"{name}医疗保障局", region=area).centres.add(centre)
    town = county("资中县").add_child(name="水南镇", level=RegionLevel.TOWN)
    town_window = UnitFactory(name="资中县水南镇便民服务中心", region=town)
    CentreFactory(name="水南镇便民服务中心", level=CentreLevel.CONVENIENCE_CENTRE, region=town, window_unit=town_window)
    return windows


def insert_cases(windows, count, start, end, prefix="BB"):
    """`count` cases accepted evenly from `start` to `end` by the (unit, centre) pairs of `windows`.

    `prefix` keeps case numbers apart between calls (two letters).
    """
    if connection.vendor == "postgresql":
        params = {
            "prefix": prefix,
            "count": count,
            "routes": ROUTES,
            "start": start,
            "span": (end - start).total_seconds(),
            "open_after": end - OPEN_DAYS,
            "units": [unit.pk for unit, _centre in windows],
            "centres": [centre.pk for _unit, centre in windows],
            "regions": [unit.region_id for unit, _centre in windows],
            "nunits": len(windows),
        }
        with connection.cursor() as cursor:
            cursor.execute(_CASES_SQL, params)
            cursor.execute(_EVALUATIONS_SQL, {"like": prefix + "%"})
            cursor.execute(_FLOWS_SQL, {"like": prefix + "%"})
        return count
    _bulk_insert(windows, count, start, end, prefix)
    return count


def _bulk_insert(windows, count, start, end, prefix, batch=5000):
    span = (end - start).total_seconds()
    zone = timezone.get_default_timezone()
    for first in range(1, count + 1, batch):
        cases = []
        for i in range(first, min(first + batch, count + 1)):
            unit, centre = windows[i % len(windows)]
            at = start + datetime.timedelta(seconds=span * i / count)
            kind = i % 10
            if kind == 9:
                status = CaseStatus.WITHDRAWN
            elif kind < 6 or at < end - OPEN_DAYS:
                status = CaseStatus.COMPLETED
            else:
                status = CaseStatus.IN_PROGRESS if kind < 8 else CaseStatus.ACCEPTED
            cases.append(
                Case(
                    number=f"{prefix}{i:012d}",
                    query_code="000000",
                    applicant_name=f"压测申请人{i}",
                    contact_name="压测联系人",
                    contact_phone=f"138{i % 100_000_000:08d}",
                    matter_text="城镇职工基本养老保险关系转移接续",
                    special_group="elderly" if i % 17 == 0 else "",
                    route=ROUTES[i % len(ROUTES)],
                    centre=centre,
                    region_id=unit.region_id,
                    accepting_unit=unit,
                    status=status,
                    accepted_at=at + datetime.timedelta(hours=1),
                    due_date=(at + datetime.timedelta(days=10)).astimezone(zone).date(),
                    completed_at=at + datetime.timedelta(days=3) if status == CaseStatus.COMPLETED else None,
                    closed_at=at + datetime.timedelta(days=2) if status == CaseStatus.WITHDRAWN else None,
                )
            )
        Case.objects.bulk_create(cases)
    saved = Case.objects.filter(number__startswith=prefix).values_list(
        "pk", "status", "completed_at", "accepting_unit_id", "accepted_at", "due_date"
    )
    evaluations, flows = [], []
    for pk, status, done, unit_id, accepted, due in saved.iterator(chunk_size=batch):
        if status == CaseStatus.COMPLETED and pk % 5 != 4:
            evaluations.append(
                Evaluation(case_id=pk, level=LEVELS[pk % 5], method=EvaluationMethod.ONLINE, evaluated_at=done)
            )
        if status in (CaseStatus.IN_PROGRESS, CaseStatus.ACCEPTED):
            flows.append(
                UnitFlow(
                    case_id=pk,
                    unit_id=unit_id,
                    is_lead=True,
                    status=FlowStatus.ACCEPTED,
                    accepted_on=accepted.date(),
                    due_date=due,
                )
            )
    Evaluation.objects.bulk_create(evaluations, batch_size=batch)
    UnitFlow.objects.bulk_create(flows, batch_size=batch)
    # auto_now_add wrote today into submitted_at: the request came an hour before acceptance.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE daiban_case SET submitted_at = datetime(accepted_at, '-1 hour') WHERE number LIKE %s",
            [prefix + "%"],
        )
