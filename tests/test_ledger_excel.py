"""The 台账 export (附件4): layout, merged headings, Beijing time, labels, neutralised formulas, scope."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from daiban.excel.ledger import ledger_cases, write_ledger
from daiban.excel.ledger_import import import_ledger, preview_ledger
from daiban.models import Case, CaseStatus, Delivery, Satisfaction, UnitFlow
from tests.factories import UnitFactory, matter
from tests.ledger_files import HEADER, MATTER, UNIT, quirky_ledger
from tests.results_setup import case_in, evaluate, window, window_clerk

pytestmark = pytest.mark.django_db


def export(cases=None):
    buffer = io.BytesIO()
    write_ledger(cases if cases is not None else ledger_cases(), buffer)
    buffer.seek(0)
    return load_workbook(buffer).active


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def ledger_case():
    unit, centre = window()
    other = UnitFactory(name="资中县医保局", region=unit.region)
    # Accepted 2026-10-09 17:30 UTC = 2026-10-10 01:30 in Beijing; delivered 2026-10-15 16:10 UTC = 10-16 00:10.
    case = case_in(
        CaseStatus.COMPLETED,
        unit,
        centre,
        accepted_at=utc(2026, 10, 9, 17, 30),
        completed_at=utc(2026, 10, 14, 2, 0),
        applicant_name='=HYPERLINK("http://evil")',
        contact_name="张三",
        matter_text="+城镇职工基本养老保险",
        delivered_at=utc(2026, 10, 15, 16, 10),
        delivery=Delivery.COURIER,
        courier_company="中国邮政",
        tracking_number="@EMS123",
    )
    # The request was made on 2026-10-09 at 09:00 Beijing time, the day before its acceptance.
    Case.objects.filter(pk=case.pk).update(submitted_at=utc(2026, 10, 9, 1, 0))
    UnitFlow.objects.create(
        case=case, unit=other, accepted_on=datetime.date(2026, 10, 11), completed_on=datetime.date(2026, 10, 13)
    )
    evaluate(case, Satisfaction.BASICALLY_SATISFIED)
    return case, unit, centre


def test_headings_and_merged_cells(ledger_case):
    sheet = export()
    assert sheet["A1"].value == "帮办代办工作登记台账"
    # row 2 is the sub-title (the export's filter); the two header rows follow
    assert [sheet.cell(3, c).value for c in range(1, 11)] == HEADER
    assert (sheet["F4"].value, sheet["G4"].value) == ("受理日期", "办结日期")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:J1", "F3:G3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "H3:H4", "I3:I4", "J3:J4"} <= merged
    assert sheet["A6"].value.startswith("说明：1.") and "A6:J6" in merged


def test_row_in_beijing_time_with_labels_and_one_line_per_unit(ledger_case):
    case, unit, _centre = ledger_case
    row = [c.value for c in export()[5]]
    assert row[0] == 1
    assert row[1].date() == datetime.date(2026, 10, 9)  # 申请日期: the day of the request (issue 14)
    assert row[5].split("\n") == [f"{unit.name}：2026-10-10", "资中县医保局：2026-10-11"]
    assert row[6].split("\n") == [f"{unit.name}：2026-10-14", "资中县医保局：2026-10-13"]
    assert row[7] == datetime.datetime(2026, 10, 16, 0, 10)
    assert row[8] == "基本满意"
    assert "中国邮政" in row[9]


def test_formula_injection_is_neutralised(ledger_case):
    row = [c.value for c in export()[5]]
    assert row[2].startswith("'=HYPERLINK")
    assert row[3] == "'+城镇职工基本养老保险"
    sheet = export()
    assert all(not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))) for r in sheet for c in r)


def test_imported_ledger_exports_again_and_reimports_as_the_same_rows(tmp_path):
    unit, _centre = window()
    UnitFactory(name=UNIT, region=unit.region)
    matter(title=MATTER)
    import_ledger(quirky_ledger(), unit, user=None)
    sheet = export(ledger_cases(unit=unit))
    names = [sheet.cell(r, 3).value.split("\n")[0] for r in range(5, 14)]
    assert names == ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑十一"]
    li = [c.value for c in sheet[6]]
    assert li[4] == "李窗口"
    assert li[6].split("\n") == [f"{UNIT}：2025-10-15", "资中县医保局：2025-11-03"]
    assert "结果已返回窗口" in li[9]
    buffer = io.BytesIO()
    write_ledger(ledger_cases(unit=unit), buffer)
    buffer.seek(0)
    again = preview_ledger(buffer, unit)  # the export reads back as the same rows: nothing new
    assert (len(again.new_rows), len(again.duplicate_rows)) == (0, 9)


def test_filter_by_unit_and_dates(ledger_case):
    case, unit, centre = ledger_case
    case_in(CaseStatus.IN_PROGRESS, unit, centre, accepted_at=utc(2026, 11, 2, 3, 0))
    assert len(list(ledger_cases(unit=unit))) == 2
    october = ledger_cases(unit=unit, start=datetime.date(2026, 10, 10), end=datetime.date(2026, 10, 31))
    assert list(october) == [case]
    assert list(ledger_cases(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 9))) == []


def _export_queries(count):
    unit, centre = window(f"窗口{count}")
    for _i in range(count):
        evaluate(case_in(CaseStatus.COMPLETED, unit, centre, accepted_at=timezone.now()), Satisfaction.SATISFIED)
    with CaptureQueriesContext(connection) as queries:
        export(ledger_cases(unit=unit))
    return len(queries)


def test_constant_queries_for_2_and_20_cases():
    assert _export_queries(2) == _export_queries(20)


def test_command_exports(ledger_case, tmp_path):
    _case, unit, _centre = ledger_case
    out = tmp_path / "台账.xlsx"
    call_command("export_ledger", "--unit", unit.name, "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "帮办代办工作登记台账" and sheet["A5"].value == 1


def test_export_view_respects_scope(client, ledger_case):
    case, unit, centre = ledger_case
    _other_unit, other_centre = window("隆昌市行政审批局")
    stranger = window_clerk(other_centre)
    client.force_login(stranger)
    response = client.get(reverse("reports:ledger_export"), {"download": "1"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A5"].value is None or sheet["A5"].value.startswith("说明")

    client.force_login(window_clerk(centre))
    response = client.get(reverse("reports:ledger_export"), {"download": "1"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A5"].value == 1
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_matter_from_the_catalogue_and_receiver_by_name_in_constant_queries():
    """A case picked from the catalogue (no matter_text) shows the matter's title; the receiver shows by
    full name, or by username without one; all read in the same few queries, not one per case."""
    unit, centre = window("目录窗口")
    page = matter(title="城乡居民基本养老保险参保登记")
    named = window_clerk(centre, username="clerk_named", first_name="小", last_name="王")
    unnamed = window_clerk(centre, username="clerk_plain", first_name="", last_name="")
    for clerk in (named, unnamed):
        case_in(CaseStatus.IN_PROGRESS, unit, centre, matter=page, matter_text="", received_by=clerk)
    with CaptureQueriesContext(connection) as queries:
        sheet = export(ledger_cases(unit=unit))
    rows = [[cell.value for cell in sheet[row]] for row in (5, 6)]
    assert [row[3] for row in rows] == [page.title, page.title]
    assert sorted(row[4] for row in rows) == ["clerk_plain", "小 王"]
    assert len(queries) <= 3
