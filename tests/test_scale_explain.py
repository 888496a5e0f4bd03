"""No query of the ledger, the dashboard or 附件8 reads the whole case table (PostgreSQL query plans).

50,000 cases over ten years are written by SQL, the tables analysed, then every SELECT that the
ledger (each filter, each role), the dashboard and 附件8 run on daiban_case is explained: none may
contain a sequential scan of daiban_case.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.casedata import insert_cases
from daiban.models import CaseStatus, DeferredMaterial, Region
from daiban.roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF
from daiban.statistics import Period, monthly_trend, statistics_table
from tests.factories import UserFactory, county, staff_user
from tests.results_setup import window

pytestmark = pytest.mark.django_db

CASES = 50_000
LEDGER = "/admin/daiban/case/"


@pytest.fixture
def big_ledger(on_postgres):
    windows = [window(f"{name}行政审批局", county(name)) for name in ("资中县", "东兴区", "威远县", "隆昌市")]
    for unit, _centre in windows:  # units with no cases at all
        unit.region.units.create(name=f"{unit.region.name}医疗保障局")
    end = timezone.now()
    insert_cases(windows, CASES, end - datetime.timedelta(days=10 * 365), end)
    open_case = windows[0][0].accepted_cases.filter(status=CaseStatus.IN_PROGRESS).first()
    DeferredMaterial.objects.create(
        case=open_case, name="营业执照副本", due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return windows


def case_selects(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and "daiban_case" in q["sql"]]


def seq_scans(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan if "Seq Scan on daiban_case " in plan or plan.rstrip().endswith("Seq Scan on daiban_case") else None


def assert_no_seq_scan(queries, what):
    selects = case_selects(queries)
    assert selects, f"{what}: no query on daiban_case captured"
    for sql in selects:
        plan = seq_scans(sql)
        assert plan is None, f"{what}: sequential scan of daiban_case\n{sql}\n{plan}"


def ledger_filters(windows):
    unit, centre = windows[0]
    month = timezone.localdate().strftime("%Y-%m")
    return [
        {},
        {"status": CaseStatus.IN_PROGRESS},
        {"status": CaseStatus.WITHDRAWN},
        {"centre": centre.pk},
        {"unit": unit.pk},
        {"route": "bundle"},
        {"route": "none"},
        {"green": "any"},
        {"overdue": "case"},
        {"overdue": "due_soon"},
        {"overdue": "deferred"},
        {"month": month},
        {"status": CaseStatus.COMPLETED, "centre": centre.pk, "p": 3},
    ]


def people(windows):
    unit, centre = windows[0]
    return {
        "城市管理员": UserFactory(is_superuser=True, is_staff=True),
        "县局": staff_user(COUNTY_BUREAU, region=unit.region),
        "窗口": staff_user(WINDOW_STAFF, centre=centre),
        "单位": staff_user(UNIT_STAFF, unit=unit),
    }


def test_ledger_and_dashboard_use_indexes(big_ledger, client):
    for role, user in people(big_ledger).items():
        client.force_login(user)
        for params in ledger_filters(big_ledger):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(LEDGER, params)
            assert response.status_code == 200, (role, params)
            assert_no_seq_scan(queries, f"台账 {role} {params}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/admin/")
        assert response.status_code == 200
        if role != "单位":  # unit staff see flows, not whole cases, on the dashboard
            assert_no_seq_scan(queries, f"工作台 {role}")


def test_ledger_counts_once_per_page(big_ledger, client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LEDGER, {"status": CaseStatus.COMPLETED})
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "daiban_case" in q["sql"]]
    assert len(counts) == 1, counts
    assert len(response.context["object_list"]) == 50


def test_attachment_8_uses_indexes(big_ledger):
    month = Period.containing(timezone.localdate())
    for region in (None, Region.get_first_root_node(), county("资中县")):
        with CaptureQueriesContext(connection) as queries:
            rows = statistics_table(month, region)
            monthly_trend(month.previous_months(12), region)
        assert rows
        assert_no_seq_scan(queries, f"附件8 {region}")


def test_work_queue_uses_indexes(big_ledger, client):
    """我的待办: every section of every role, on the page (the dashboard's sections are the same queries)."""
    from daiban import queues

    for role, user in people(big_ledger).items():
        client.force_login(user)
        for section in queues.sections_for(user):
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/admin/my-queue/", {"section": section.key})
            assert response.status_code == 200, (role, section.key)
            assert_no_seq_scan(queries, f"我的待办 {role} {section.key}")
