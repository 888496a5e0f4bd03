"""附件8 has a row for every unit that must report, zeros included (policy item 四, 附件8 说明3).

The units that must report: each department stationed at the city's 政务服务中心, each county bureau
(行政审批局, or 行政审批服务局 in a development zone) and each unit running a centre's window. The
figures below are worked out by hand from the cases set up in `city_with_departments`.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from daiban.models import CaseStatus, CentreLevel, RegionLevel, Satisfaction
from daiban.reporting import reporting_status
from daiban.roles import UNIT_STAFF
from daiban.services.reporting import confirm_month, confirmations_seen
from daiban.statistics import Period, statistics_table
from tests.factories import CentreFactory, UnitFactory, city, county, make_region, staff_user
from tests.results_setup import case_in, city_staff, evaluate

pytestmark = pytest.mark.django_db

OCT_2025 = Period.month(2025, 10)
CITY_DEPARTMENTS = ["内江市市场监督管理局", "内江市人力资源和社会保障局", "内江市住房公积金管理中心"]


def beijing(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def city_with_departments():
    root = city()
    city_window = UnitFactory(name="内江市政务服务管理局", region=root)
    city_centre = CentreFactory(name="内江市政务服务中心", region=root, window_unit=city_window)
    city_window.centres.add(city_centre)
    departments = {name: UnitFactory(name=name, region=root) for name in CITY_DEPARTMENTS}
    for unit in departments.values():
        unit.centres.add(city_centre)
    UnitFactory(name="内江市已撤销局", region=root, is_active=False).centres.add(city_centre)

    zizhong = county("资中县")
    UnitFactory(name="资中县行政审批局", region=zizhong)  # a bureau without a window of its own here
    county_department = UnitFactory(name="资中县医疗保障局", region=zizhong)
    county_department.centres.add(CentreFactory(name="资中县政务服务中心", region=zizhong))
    UnitFactory(name="内江经开区行政审批服务局", region=county("内江经开区"))
    town = make_region("水南镇", RegionLevel.TOWN, parent=zizhong)
    town_window = UnitFactory(name="资中县水南镇便民服务中心", region=town)
    town_centre = CentreFactory(
        name="资中县水南镇便民服务中心", level=CentreLevel.CONVENIENCE_CENTRE, region=town, window_unit=town_window
    )

    # October 2025: the city window accepts two (one completed, 满意), the 人社局's own window one
    # (completed, no evaluation), the town window one (completed, 非常满意).
    done = case_in(CaseStatus.COMPLETED, city_window, city_centre, accepted_at=beijing(2025, 10, 9, 9))
    evaluate(done, Satisfaction.SATISFIED)
    case_in(CaseStatus.IN_PROGRESS, city_window, city_centre, accepted_at=beijing(2025, 10, 20, 9))
    hrss = departments["内江市人力资源和社会保障局"]
    case_in(CaseStatus.COMPLETED, hrss, city_centre, accepted_at=beijing(2025, 10, 13, 9))
    town_case = case_in(CaseStatus.COMPLETED, town_window, town_centre, accepted_at=beijing(2025, 10, 15, 9))
    evaluate(town_case, Satisfaction.VERY_SATISFIED)
    # September: not in October's report; the 公积金中心 still has its row of zeros.
    fund = departments["内江市住房公积金管理中心"]
    case_in(CaseStatus.COMPLETED, fund, city_centre, accepted_at=beijing(2025, 9, 10, 9))
    return departments


# name → (受理, 在办, 办结, 满意)
EXPECTED = {
    "内江市政务服务管理局": (2, 1, 1, 1),
    "内江市市场监督管理局": (0, 0, 0, 0),
    "内江市人力资源和社会保障局": (1, 0, 1, 0),
    "内江市住房公积金管理中心": (0, 0, 0, 0),
    "资中县行政审批局": (0, 0, 0, 0),
    "资中县水南镇便民服务中心": (1, 0, 1, 1),
    "内江经开区行政审批服务局": (0, 0, 0, 0),
}


def figures(row):
    f = row.figures
    return (f.accepted, f.in_progress, f.completed, f.satisfied)


def test_city_wide_table_has_a_row_for_every_unit_that_must_report(city_with_departments):
    rows = statistics_table(OCT_2025, city())
    units = {row.name: figures(row) for row in rows if not row.is_region}
    assert units == EXPECTED  # no county department, no withdrawn unit; every department with zeros
    totals = {row.name: row.figures for row in rows if row.is_region}
    city_total = totals["内江市合计"]
    assert (city_total.accepted, city_total.in_progress, city_total.completed) == (4, 1, 3)
    assert city_total.satisfaction == round(2 * 100 / 3, 2)
    zizhong = totals["资中县合计"]
    assert (zizhong.accepted, zizhong.completed, zizhong.satisfaction) == (1, 1, 100)
    assert (totals["内江经开区合计"].accepted, totals["内江经开区合计"].satisfaction) == (0, None)
    # The department's figures stay under the city: its row follows 内江市合计, before any county.
    names = [row.name for row in rows]
    assert names.index("内江市合计") < names.index("内江市市场监督管理局") < names.index("资中县合计")


def _sheet_rows(path):
    """{unit or total name: (受理, 在办, 办结)} read back from the workbook, wherever its rows start."""
    found = {}
    for row in load_workbook(path).active.iter_rows(values_only=True):
        if len(row) > 4 and isinstance(row[1], str) and isinstance(row[2], int):
            found[row[1].strip()] = tuple(row[2:5])
    return found


def test_monthly_report_command_and_admin_table_agree(city_with_departments, client, tmp_path):
    out = tmp_path / "附件8.xlsx"
    call_command("monthly_report", "--month", "2025-10", "--out", str(out))
    sheet = _sheet_rows(out)
    assert {name: sheet[name] for name in EXPECTED} == {name: value[:3] for name, value in EXPECTED.items()}
    assert sheet["内江市合计"] == (4, 1, 3)

    client.force_login(city_staff())
    response = client.get(reverse("reports:statistics"), {"month": "2025-10"})
    assert response.status_code == 200
    admin_units = {row.name: figures(row)[:3] for row in response.context["units"]}
    assert admin_units == {name: value[:3] for name, value in EXPECTED.items()}
    assert {name for name in sheet if not name.endswith("合计")} == set(admin_units)
    page = response.content.decode()
    assert all(name in page for name in CITY_DEPARTMENTS)


def test_every_reporting_unit_has_the_confirmation_duty(city_with_departments):
    statuses = {status.unit.name: status for status in reporting_status(OCT_2025)}
    assert set(statuses) == set(EXPECTED)
    market = statuses["内江市市场监督管理局"]
    assert not market.confirmed and market.is_late  # due on 2025-11-25, long past
    clerk = staff_user(UNIT_STAFF, unit=market.unit)
    report = confirm_month(market.unit, user=clerk, period=OCT_2025, version=confirmations_seen(market.unit, OCT_2025))
    assert (report.accepted, report.in_progress, report.completed, report.satisfied) == (0, 0, 0, 0)
    assert {status.unit.name: status.confirmed for status in reporting_status(OCT_2025)}["内江市市场监督管理局"]
