"""附件8: the xlsx export, the admin report with charts, the reporting duty (confirm by the 25th) and the 通报."""

import datetime
import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from daiban.excel.ledger_import import import_ledger
from daiban.models import CaseStatus, MonthlyReport, Satisfaction
from daiban.reporting import reporting_status
from daiban.roles import UNIT_STAFF
from daiban.services.base import ActionError, ActionPermissionDenied
from daiban.services.reporting import confirm_month, confirmations_seen
from daiban.statistics import Period
from tests.factories import UnitFactory, city, county, matter, staff_user
from tests.ledger_files import HAND_FIGURES, MATTER, UNIT, quirky_ledger
from tests.results_setup import case_in, city_staff, evaluate, supervisor, window, window_clerk

pytestmark = pytest.mark.django_db

OCT_2025 = Period.month(2025, 10)


def beijing(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def imported():
    unit, centre = window()
    UnitFactory(name=UNIT, region=unit.region)
    matter(title=MATTER)
    import_ledger(quirky_ledger(), unit, user=None)
    return unit, centre


def find_row(sheet, name):
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[1] and row[1].strip() == name:
            return row
    raise AssertionError(f"{name} not in sheet")


@pytest.mark.parametrize("month", sorted(HAND_FIGURES))
def test_command_exports_the_hand_worked_figures_in_the_attachment_8_layout(imported, tmp_path, month):
    unit, _centre = imported
    out = tmp_path / "统计表.xlsx"
    call_command("monthly_report", "--month", f"{month[0]}-{month[1]:02d}", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "帮办代办服务事项办件统计表"
    assert [sheet.cell(3, c).value for c in range(1, 8)] == [
        "序号",
        "单位名称",
        "帮办代办服务事项情况",
        None,
        None,
        None,
        "备注",
    ]
    assert [sheet.cell(4, c).value for c in range(3, 7)] == ["受理数量", "在办数量", "办结数量", "满意度"]
    assert {"C3:F3", "A3:A4", "B3:B4", "G3:G4"} <= {str(r) for r in sheet.merged_cells.ranges}
    expected = HAND_FIGURES[month]
    row = find_row(sheet, unit.name)
    assert row[0] == 1
    assert row[2:5] == (expected["accepted"], expected["in_progress"], expected["completed"])
    assert row[5] == expected["rate"]  # the statistics page's format (format_rate)
    total = find_row(sheet, "内江市合计")
    assert total[2:5] == row[2:5]


def test_command_by_region_and_bad_month(imported, tmp_path):
    out = tmp_path / "x.xlsx"
    call_command("monthly_report", "--month", "2025-10", "--region", "资中县", "--out", str(out))
    assert find_row(load_workbook(out).active, "资中县合计")[2] == HAND_FIGURES[(2025, 10)]["accepted"]
    with pytest.raises(CommandError, match="格式不正确"):
        call_command("monthly_report", "--month", "2025-13", "--out", str(out))
    with pytest.raises(CommandError, match="未找到区域"):
        call_command("monthly_report", "--month", "2025-10", "--region", "火星", "--out", str(out))


def test_no_completed_case_shows_a_dash(tmp_path):
    unit, centre = window()
    case_in(CaseStatus.IN_PROGRESS, unit, centre, accepted_at=beijing(2025, 10, 3, 9))
    out = tmp_path / "x.xlsx"
    call_command("monthly_report", "--month", "2025-10", "--out", str(out))
    assert find_row(load_workbook(out).active, unit.name)[5] == "—"


# The reporting duty ------------------------------------------------------------------------------


def test_confirmation_is_a_locked_snapshot_and_a_correction_keeps_the_difference(imported):
    unit, centre = imported
    clerk = window_clerk(centre)
    report = confirm_month(unit, user=clerk, period=OCT_2025, version=confirmations_seen(unit, OCT_2025))
    assert (report.accepted, report.completed, report.satisfied) == (5, 3, 3)
    with pytest.raises(ActionError, match="更正说明"):
        confirm_month(unit, user=clerk, period=OCT_2025, version=confirmations_seen(unit, OCT_2025))

    late = case_in(
        CaseStatus.COMPLETED, unit, centre, accepted_at=beijing(2025, 10, 28, 9), completed_at=beijing(2025, 10, 29, 9)
    )
    evaluate(late, Satisfaction.DISSATISFIED)
    [status] = [s for s in reporting_status(OCT_2025) if s.unit == unit]
    assert status.changed_since_confirmation and status.report.accepted == 5  # the snapshot did not move

    correction = confirm_month(
        unit, user=clerk, period=OCT_2025, note="补录10月28日办件", version=confirmations_seen(unit, OCT_2025)
    )
    report.refresh_from_db()
    assert (report.is_current, report.superseded_by) == (False, correction)
    assert (correction.accepted, correction.completed, correction.satisfied) == (6, 4, 3)
    assert correction.differences(report) == [("受理数量", 5, 6), ("办结数量", 3, 4)]
    [status] = [s for s in reporting_status(OCT_2025) if s.unit == unit]
    assert status.report == correction and status.differences == [("受理数量", 5, 6), ("办结数量", 3, 4)]
    assert MonthlyReport.objects.filter(unit=unit, period=OCT_2025.start).count() == 2


def test_only_the_units_own_people_or_supervisors_confirm(imported):
    unit, _centre = imported
    _other, other_centre = window("隆昌市行政审批局", region=county("隆昌市"))
    with pytest.raises(ActionPermissionDenied):
        confirm_month(
            unit, user=window_clerk(other_centre), period=OCT_2025, version=confirmations_seen(unit, OCT_2025)
        )
    with pytest.raises(ActionPermissionDenied):
        confirm_month(
            unit, user=supervisor(region=county("隆昌市")), period=OCT_2025, version=confirmations_seen(unit, OCT_2025)
        )
    assert confirm_month(
        unit, user=supervisor(region=unit.region), period=OCT_2025, version=confirmations_seen(unit, OCT_2025)
    ).pk


def test_a_month_not_yet_over_cannot_be_confirmed(imported):
    unit, centre = imported
    with pytest.raises(ActionError, match="尚未结束"):
        confirm_month(
            unit,
            user=window_clerk(centre),
            period=Period.containing(timezone.localdate()),
            version=confirmations_seen(unit, Period.containing(timezone.localdate())),
        )


def test_late_units_are_flagged():
    on_time_unit, on_time_centre = window("按时局")
    late_unit, late_centre = window("逾期局")
    silent_unit, _centre = window("未报局")
    with mock.patch("django.utils.timezone.now", return_value=beijing(2025, 11, 20, 10)):
        confirm_month(
            on_time_unit,
            user=window_clerk(on_time_centre),
            period=OCT_2025,
            version=confirmations_seen(on_time_unit, OCT_2025),
        )
    with mock.patch("django.utils.timezone.now", return_value=beijing(2025, 11, 26, 10)):
        confirm_month(
            late_unit, user=window_clerk(late_centre), period=OCT_2025, version=confirmations_seen(late_unit, OCT_2025)
        )
    flags = {s.unit.name: (s.confirmed, s.is_late) for s in reporting_status(OCT_2025)}
    assert flags == {"按时局": (True, False), "逾期局": (True, True), "未报局": (False, True)}


def test_city_sees_who_confirmed_and_the_bulletin_lists_late_units(client, imported):
    unit, centre = imported
    silent, _c = window("威远县行政审批局", region=county("威远县"))
    confirm_month(unit, user=window_clerk(centre), period=OCT_2025, version=confirmations_seen(unit, OCT_2025))
    client.force_login(city_staff())
    page = client.get(reverse("reports:confirmations"), {"month": "2025-10"}).content.decode()
    assert "已确认 1 / 2" in page and silent.name in page and "逾期未确认" in page
    bulletin = client.get(reverse("reports:bulletin"), {"month": "2025-10"}).content.decode()
    assert "帮办代办工作2025年10月通报" in bulletin
    assert "逾期报送或尚未报送的单位（2个）" in bulletin  # confirmed long after the 25th, and not at all
    assert silent.name in bulletin.split("逾期报送")[1]


def test_confirming_through_the_admin_page(client, imported):
    unit, centre = imported
    client.force_login(window_clerk(centre))
    url = reverse("reports:confirmations") + "?month=2025-10"
    response = client.post(url, {"unit": unit.pk, f"u{unit.pk}-version": 0})
    assert response.status_code == 302
    assert MonthlyReport.objects.get(unit=unit).accepted == 5
    response = client.post(url, {"unit": unit.pk, f"u{unit.pk}-version": 0})
    assert "更正时请填写更正说明" in response.content.decode()
    assert MonthlyReport.objects.count() == 1


# The admin report --------------------------------------------------------------------------------


def test_statistics_page_table_and_charts(client, imported):
    unit, _centre = imported
    client.force_login(city_staff())
    response = client.get(reverse("reports:statistics"), {"month": "2025-11"})
    page = response.content.decode()
    assert response.status_code == 200
    assert unit.name in page and "33.33%" in page
    assert page.count("<svg") >= 2 and 'role="img"' in page and "图表数据（表格）" in page
    export = client.get(reverse("reports:statistics_export"), {"month": "2025-11"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert find_row(sheet, unit.name)[2] == 4


def test_statistics_for_any_period(client, imported):
    client.force_login(city_staff())
    page = client.get(reverse("reports:statistics"), {"start": "2025-10-01", "end": "2025-11-30"}).content.decode()
    assert "2025-10-01 至 2025-11-30" in page


def test_statistics_query_count_does_not_grow(client, django_assert_max_num_queries, imported):
    client.force_login(city_staff())
    with django_assert_max_num_queries(40):
        client.get(reverse("reports:statistics"), {"month": "2025-10"})


def test_report_access_is_scoped(client, imported):
    unit, _centre = imported
    clerk = staff_user(UNIT_STAFF, unit=unit)
    client.force_login(clerk)
    refused = client.get(reverse("reports:statistics"))
    # Wagtail turns PermissionDenied in admin views into a redirect to the dashboard with a message.
    assert (refused.status_code, refused.get("Location")) in ((403, None), (302, "/admin/"))
    longchang = supervisor(region=county("隆昌市"))
    client.force_login(longchang)
    page = client.get(reverse("reports:statistics"), {"month": "2025-10", "region": county("资中县").pk})
    assert unit.name not in page.content.decode()  # another county is not offered: the filter falls back
    assert city().name not in [r.name for r in page.context["form"].fields["region"].queryset]


def test_satisfaction_reads_the_same_before_and_after_confirmation(client, imported):
    unit, centre = imported
    client.force_login(window_clerk(centre))
    url = reverse("reports:confirmations") + "?month=2025-11"
    assert "<td>33.33%</td>" in client.get(url).content.decode()  # the live figures
    confirm_month(
        unit,
        user=window_clerk(centre),
        period=Period.month(2025, 11),
        version=confirmations_seen(unit, Period.month(2025, 11)),
    )
    assert "<td>33.33%</td>" in client.get(url).content.decode()  # the confirmed snapshot, in the same format
