"""Historical 台账 import: every quirk, all or nothing, no duplicates, and the report gives the hand-worked figures."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from daiban.excel.ledger_import import LedgerImportError, import_ledger, parse_date, preview_ledger
from daiban.models import BackgroundJob, Case, CaseEvent, CaseStatus, JobKind, Satisfaction, UnitFlow
from daiban.statistics import Period, unit_figures
from tests.factories import UnitFactory, matter
from tests.ledger_files import HAND_FIGURES, MATTER, ROWS, UNIT, UNKNOWN_UNIT, quirky_ledger
from tests.results_setup import window, window_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    unit, centre = window()
    handling_unit = UnitFactory(name=UNIT, region=unit.region)
    page = matter(title=MATTER, unit=handling_unit)
    return unit, centre, handling_unit, page


def by_name(name):
    return Case.objects.get(applicant_name=name)


@pytest.mark.parametrize(
    "value,expected",
    [
        (datetime.datetime(2026, 10, 9, 8, 0), datetime.date(2026, 10, 9)),
        ("2026-10-09", datetime.date(2026, 10, 9)),
        ("2026/10/09", datetime.date(2026, 10, 9)),
        ("2026.10.9", datetime.date(2026, 10, 9)),
        ("2026年10月9日", datetime.date(2026, 10, 9)),
        (" 2026 年 10 月 9 日 ", datetime.date(2026, 10, 9)),
        (46304, datetime.date(2026, 10, 9)),
        (None, None),
    ],
)
def test_date_forms(value, expected):
    assert parse_date(value) == expected


def test_every_quirk_imports_in_the_right_final_state(setup):
    unit, centre, handling_unit, page = setup
    result = import_ledger(quirky_ledger(), unit, user=None)
    assert len(result.new_rows) == len(ROWS) == Case.objects.count()
    assert any(UNKNOWN_UNIT in warning for warning in result.warnings)

    zhang = by_name("张三")
    assert (zhang.contact_phone, zhang.status, zhang.matter) == ("13800001111", CaseStatus.COMPLETED, page)
    assert timezone.localtime(zhang.accepted_at).date() == datetime.date(2025, 10, 9)
    assert zhang.evaluation.level == Satisfaction.SATISFIED
    assert (zhang.accepting_unit, zhang.centre) == (unit, centre)
    flow = UnitFlow.objects.get(case=zhang)
    assert (flow.unit, flow.accepted_on, flow.completed_on) == (
        handling_unit,
        datetime.date(2025, 10, 9),
        datetime.date(2025, 10, 12),
    )
    event = zhang.events.get(action="import")
    assert event.label == "历史台账导入" and event.data["receiver"] == "李窗口"

    li = by_name("李四")  # two units in one cell, one of them unknown; no 反馈时间
    assert (li.contact_phone, li.status, li.matter) == ("13800002222", CaseStatus.RESULTS_RETURNED, None)
    assert timezone.localtime(li.completed_at).date() == datetime.date(2025, 11, 3)
    assert [line["unit"] for line in li.events.get(action="import").data["lines"]] == [UNIT, UNKNOWN_UNIT]

    assert by_name("王五").contact_phone == "13800003333"
    zhao = by_name("赵六")  # Excel serial date, landline, no unit dates but 反馈时间 → completed
    assert (zhao.contact_phone, zhao.status) == ("0832-1234567", CaseStatus.COMPLETED)
    assert timezone.localtime(zhao.accepted_at).date() == datetime.date(2025, 10, 21)
    assert by_name("钱七").status == CaseStatus.IN_PROGRESS
    assert by_name("周九").status == CaseStatus.IN_PROGRESS
    assert by_name("郑十一").evaluation.level == Satisfaction.VERY_SATISFIED
    assert not Case.objects.filter(applicant_name__startswith="说明").exists()


@pytest.mark.parametrize("month", sorted(HAND_FIGURES))
def test_report_for_the_imported_months_gives_the_hand_worked_figures(setup, month):
    unit, *_ = setup
    import_ledger(quirky_ledger(), unit, user=None)
    expected = HAND_FIGURES[month]
    [(_unit, figures)] = [(u, f) for u, f in unit_figures(Period.month(*month)) if u == unit]
    assert figures.accepted == expected["accepted"]
    assert figures.completed == expected["completed"]
    assert figures.in_progress == expected["in_progress"]
    assert figures.satisfied == expected["satisfied"]
    assert figures.satisfaction_label == expected["rate"]


def test_importing_the_same_file_again_does_not_duplicate(setup):
    unit, *_ = setup
    import_ledger(quirky_ledger(), unit, user=None)
    again = import_ledger(quirky_ledger(), unit, user=None)
    assert (len(again.new_rows), len(again.duplicate_rows)) == (0, len(ROWS))
    assert Case.objects.count() == len(ROWS)
    assert CaseEvent.objects.filter(action="import").count() == len(ROWS)


def test_row_errors_and_nothing_is_written(setup):
    unit, *_ = setup
    bad = list(ROWS)
    bad[1] = (2, "2025-13-45", "李四 13800002222", MATTER, "", None, None, None, None, None)
    bad[3] = (4, "2025-10-21", "", MATTER, "", None, None, None, "很好", None)
    bad[5] = (6, "2025-11-02", "孙八", MATTER, "", f"{UNIT}：2025-11-05", f"{UNIT}：2025-11-02", None, None, None)
    bad[6] = (7, "2025-11-10", "周九", "", "", None, None, None, None, None)
    bad[7] = (8, "2025-11-12", "吴十", MATTER, "", f"{UNIT}：2025-11-12", None, None, "满意", None)
    with pytest.raises(LedgerImportError) as caught:
        import_ledger(quirky_ledger(bad), unit, user=None)
    messages = [str(error) for error in caught.value.errors]
    assert any("第6行【申请日期】" in m and "2025-13-45" in m for m in messages)
    assert any("第8行【申请人姓名及电话】：缺少申请人姓名" in m for m in messages)
    assert any("第8行【评价情况】" in m and "很好" in m for m in messages)
    assert any("第10行【办结日期】" in m and "早于受理日期" in m for m in messages)
    assert any("第11行【帮办代办事项名称】：不能为空" in m for m in messages)
    assert any("第12行【评价情况】：办件尚未办结" in m for m in messages)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_not_an_excel_file(setup):
    unit, *_ = setup
    with pytest.raises(LedgerImportError, match="不是有效的 Excel"):
        preview_ledger(io.BytesIO(b"not a workbook"), unit)


def test_no_header_found(setup):
    unit, *_ = setup
    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(LedgerImportError, match="未找到"):
        preview_ledger(buffer, unit)


def test_command_dry_run_writes_nothing_then_imports(setup, tmp_path):
    unit, *_ = setup
    path = tmp_path / "台账.xlsx"
    path.write_bytes(quirky_ledger().getvalue())
    out = io.StringIO()
    call_command("import_ledger", str(path), "--unit", unit.name, "--dry-run", stdout=out)
    assert f"将导入{len(ROWS)}件" in out.getvalue() and Case.objects.count() == 0
    call_command("import_ledger", str(path), "--unit", unit.name, stdout=out)
    assert Case.objects.count() == len(ROWS)
    with pytest.raises(CommandError, match="未找到单位"):
        call_command("import_ledger", str(path), "--unit", "不存在的局")


def test_command_reports_row_errors(setup, tmp_path):
    unit, *_ = setup
    path = tmp_path / "bad.xlsx"
    path.write_bytes(quirky_ledger([(1, "明天", "张三", MATTER, "", None, None, None, None, None)]).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_ledger", str(path), "--unit", unit.name, stderr=err)
    assert "第5行【申请日期】" in err.getvalue()


def test_admin_upload_previews_then_imports_on_confirmation(client, setup):
    unit, centre, *_ = setup
    client.force_login(window_clerk(centre))
    url = reverse("reports:ledger_import")
    upload = SimpleUploadedFile("台账.xlsx", quirky_ledger().getvalue())
    response = client.post(url, {"unit": unit.pk, "file": upload}, follow=True)
    page = response.content.decode()
    assert "导入预览" in page and f"将新建 <strong>{len(ROWS)}</strong> 件" in page
    assert Case.objects.count() == 0
    preview = BackgroundJob.objects.get(kind=JobKind.LEDGER_PREVIEW)
    response = client.post(url, {"confirm": "1", "job": preview.pk}, follow=True)
    assert f"已导入{len(ROWS)}件历史办件" in response.content.decode() and Case.objects.count() == len(ROWS)
    # The preview's file went to the import job and is removed: it cannot be confirmed twice.
    again = client.post(url, {"confirm": "1", "job": preview.pk}, follow=True)
    assert "已过期" in again.content.decode() and Case.objects.count() == len(ROWS)

    bad = SimpleUploadedFile(
        "坏.xlsx", quirky_ledger([(1, "2025-02-30", "张三", MATTER, "", None, None, None, None, None)]).getvalue()
    )
    page = client.post(url, {"unit": unit.pk, "file": bad}, follow=True).content.decode()
    assert "未导入任何数据" in page and "第5行【申请日期】" in page and "不存在" in page
