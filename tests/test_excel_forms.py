"""附件1, 2, 4 and 8 as a clerk prints them: page set-up, fonts and the policy's texts, read back from the file.

The texts are typed here from the policy (seed/policy-banban-daiban-linkage-2022.txt), not imported from the
code. 附件8 说明3 ends with a real person's name, phone and mail address: only the sentence before them is
checked (the export takes the contact from the registry).

Where LibreOffice is installed, each form is converted to PDF and its pages are read back (poppler's
pdfinfo/pdftotext): one page wide (every page carries the first and the last column's heading, which are
the print titles), the title on page 1, the 说明 on the last page. Set EXCEL_FORMS_KEEP=/some/dir to keep
the xlsx and PDF files for looking at them.
"""

import datetime
import io
import os
import shutil
import subprocess
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from daiban.demo import org as demo_org
from daiban.demo.org import People
from daiban.excel.layout import FormSheet, new_workbook
from daiban.excel.ledger import LAYOUT as LEDGER_LAYOUT
from daiban.excel.ledger import ledger_cases, write_ledger
from daiban.excel.liaisons import export_liaisons
from daiban.excel.matters import MatterRow, write_matter_workbook
from daiban.models import CaseStatus, Liaison, Region, Satisfaction, UnitFlow
from tests.factories import UnitFactory
from tests.results_setup import case_in, evaluate, window

pytestmark = pytest.mark.django_db

CJK_FONTS = {"宋体", "仿宋", "仿宋_GB2312", "黑体", "方正小标宋简体", "楷体"}
A4 = 9

# --- the policy's texts, typed from the seed ---------------------------------------------------

TITLE_1 = "帮办代办事项清单"
CONTACT_1 = "单位：（盖章）联系人：联系电话："  # spaces left out: they are blanks to fill in by hand
HEADINGS_1 = ["序号", "单位", "事项名称", "子项名称", "事项类型", "事项分类", "承诺时限", "办理形式", "备注"]
NOTES_1 = [
    "备注：1.帮办是指在接受申请人咨询、协助准备齐全材料后，帮办人员带领申请人到相关窗口办理业务。",
    "2.代办是指申请人在准备齐全材料并完成材料交接手续，由代办员代替办理，并及时反馈代办结果。",
]

TITLE_2 = "各级服务中心帮办代办窗口和进驻服务中心部门（单位）联络员情况登记表"
HEADINGS_2 = ["序号", "地区", "单位名称", "姓名", "职务", "联系电话", "备注"]

TITLE_4 = "帮办代办工作登记台账"
HEADINGS_4 = [
    "序号",
    "申请日期",
    "申请人姓名及电话",
    "帮办代办事项名称",
    "帮办代办窗口收件人姓名",
    "相关单位流转情况",
    None,
    "帮办代办窗口反馈时间",
    "评价情况",
    "备注",
]
SUB_HEADINGS_4 = [None] * 5 + ["受理日期", "办结日期"] + [None] * 3
NOTES_4 = [
    "说明：1.“相关单位流程情况”涉及多部门（单位）办理时，请分别填写其受理日期和办结日期。",
    "2.评价情况分为：非常满意、满意、基本满意、不满意、非常不满意。",
]

TITLE_8 = "帮办代办服务事项办件统计表"
HEADINGS_8 = ["序号", "单位名称", "帮办代办服务事项情况", None, None, None, "备注"]
SUB_HEADINGS_8 = [None, None, "受理数量", "在办数量", "办结数量", "满意度", None]
NOTES_8 = [
    "说明：1.受理数量=在办数量+办结数量。",
    "2.满意度=“非常满意”“满意”“基本满意”评价件数之和/总办结数*100%。",
]
NOTE_8_DUTY = (
    "3.请县（市、区）行政审批局，内江经开区、高新区行政审批服务局，各进驻市本级部门（单位）于每月25日反馈至"
    "市政务服务局帮办代办窗口"
)


def flat(value):
    """Cell text without any whitespace (line breaks in headings, full-width indents of footnotes)."""
    return "".join(str(value).split()) if value is not None else None


# --- reading a written form back ------------------------------------------------------------------


def open_sheet(content, name=None):
    workbook = load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    return workbook[name] if name else workbook.worksheets[0]


def row_texts(sheet, number, width):
    return [flat(sheet.cell(number, column).value) for column in range(1, width + 1)]


def assert_page_setup(sheet, *, landscape, title_rows):
    setup = sheet.page_setup
    assert int(setup.paperSize) == A4
    assert setup.orientation == ("landscape" if landscape else "portrait")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
    assert sheet.print_title_rows.replace("$", "") == title_rows
    margins = sheet.page_margins
    assert 0.3 <= margins.left <= 1 and 0.3 <= margins.top <= 1


def assert_fonts_and_borders(sheet, header_rows):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value not in (None, ""):
                assert cell.font.name in CJK_FONTS, (cell.coordinate, cell.font.name)
    assert sheet["A1"].font.name in {"黑体", "方正小标宋简体"} and sheet["A1"].font.size >= 16
    for number in header_rows:
        for cell in sheet[number]:
            if isinstance(cell, MergedCell):  # openpyxl reads back only the outline of a merged range
                continue
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", cell.coordinate
            assert cell.fill.fgColor.rgb not in (None, "00000000"), cell.coordinate


def assert_footnotes(sheet, notes, width):
    """The 说明 rows follow the data, each merged across the whole form."""
    merged = {str(r) for r in sheet.merged_cells.ranges}
    texts = [flat(sheet.cell(number, 1).value) for number in range(1, sheet.max_row + 1)]
    start = texts.index(flat(notes[0]))
    for offset, note in enumerate(notes):
        number = start + offset + 1
        assert flat(sheet.cell(number, 1).value).startswith(flat(note))
        assert f"A{number}:{chr(ord('A') + width - 1)}{number}" in merged
    return start + 1


# --- PDF through LibreOffice --------------------------------------------------------------------

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdfinfo") and shutil.which("pdftotext")),
    reason="需要 LibreOffice（soffice）和 poppler-utils（pdfinfo、pdftotext）",
)


def keep(name, content):
    folder = os.environ.get("EXCEL_FORMS_KEEP")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(content)


def pdf_pages(content, name):
    """The text of every page of the workbook printed to PDF by LibreOffice."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"{name}.xlsx"
        source.write_bytes(content)
        profile = Path(folder) / "profile"  # a private profile: conversions may run in parallel
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = source.with_suffix(".pdf")
        keep(f"{name}.pdf", pdf.read_bytes())
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        return [
            subprocess.run(
                ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for page in range(1, count + 1)
        ]


def assert_printed_like_the_form(pages, *, title, first_heading, last_heading, last_note):
    """One page wide: every page repeats the header, from the first column to the last."""
    assert title in flat(pages[0])
    for number, text in enumerate(pages, start=1):
        assert first_heading in flat(text) and last_heading in flat(text), f"第{number}页缺少表头"
        assert title not in flat(text) or number == 1
    assert flat(last_note) in flat(pages[-1])


# --- 附件1 --------------------------------------------------------------------------------------

UNITS_1 = ["资中县人力资源和社会保障局", "资中县住房公积金管理中心", "资中县不动产登记中心"]


def thirty_matters():
    return [
        MatterRow(
            unit=UNITS_1[index // 10],
            title=f"城镇职工基本养老保险关系转移接续及跨省转入业务办理（第{index + 1}项）",
            sub_item_name="离退休提取" if index % 3 == 0 else "",
            matter_type="行政给付" if index % 2 else "公共服务",
            category="社会保险类",
            promised_days=index % 7,
            handling_form="both",
            note="需本人到场确认身份" if index % 5 == 0 else "",
        )
        for index in range(30)
    ]


@pytest.fixture
def form_1():
    content = write_matter_workbook(thirty_matters(), scope="资中县县级帮办代办事项清单")
    keep("附件1.xlsx", content)
    return content


def test_attachment_1_reads_back_as_the_form(form_1):
    sheet = open_sheet(form_1)
    assert sheet["A1"].value == TITLE_1
    assert "资中县县级帮办代办事项清单" in sheet["A2"].value and "导出时间" in sheet["A2"].value
    assert flat(sheet["A3"].value) == CONTACT_1
    assert row_texts(sheet, 4, 9) == HEADINGS_1
    assert sheet["C5"].value.startswith("城镇职工基本养老保险")
    assert_page_setup(sheet, landscape=True, title_rows="4:4")
    assert_fonts_and_borders(sheet, header_rows=[4])
    assert assert_footnotes(sheet, NOTES_1, 9) == 5 + 30
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "A3:I3", "B5:B14", "B15:B24", "B25:B34"} <= merged
    # rows as high as their wrapped text: a long matter name takes two lines
    one_line = sheet.row_dimensions[4].height
    assert sheet.row_dimensions[5].height > one_line


@needs_office
def test_attachment_1_with_30_matters_prints_one_page_wide(form_1):
    pages = pdf_pages(form_1, "附件1")
    assert 1 <= len(pages) <= 3
    assert_printed_like_the_form(pages, title=TITLE_1, first_heading="序号", last_heading="备注", last_note=NOTES_1[-1])
    assert "联系电话" in pages[0]


# --- 附件2 --------------------------------------------------------------------------------------


@pytest.fixture
def demo_city():
    """The demo's organisation: the city, its counties, centres, units and their liaisons."""
    people = People()
    city = demo_org.load_regions()
    demo_org.load_city(city, people)
    for county_name, _code, _towns in demo_org.COUNTIES:
        demo_org.load_county(Region.objects.get(name=county_name, depth=2), people)
    return city


def test_attachment_2_has_a_row_per_window_and_per_units_liaison(demo_city, tmp_path):
    out = tmp_path / "附件2.xlsx"
    call_command("export_liaisons", out=str(out), region="资中县", stdout=io.StringIO())
    content = out.read_bytes()
    keep("附件2.xlsx", content)
    sheet = open_sheet(content, "附件2")
    assert sheet["A1"].value == TITLE_2
    assert "内江市资中县" in sheet["A2"].value and "导出时间" in sheet["A2"].value
    assert row_texts(sheet, 3, 7) == HEADINGS_2
    assert_page_setup(sheet, landscape=False, title_rows="3:3")
    assert_fonts_and_borders(sheet, header_rows=[3])
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    designated = Liaison.objects.filter(region__path__startswith=demo_city.get_children().get(name="资中县").path)
    assert len(rows) == designated.filter(is_designated=True).count()
    by_organisation = {row[2]: row for row in rows}
    town_window = next(name for name in by_organisation if name.endswith("便民服务中心帮办代办窗口"))
    assert by_organisation[town_window][1].startswith("内江市资中县") and len(by_organisation[town_window][1]) > 6
    assert by_organisation["资中县政务服务中心帮办代办窗口"][1] == "内江市资中县"
    assert by_organisation["资中县政务服务中心帮办代办窗口"][4] == "窗口负责人"
    assert "资中县行政审批局" in by_organisation
    # every A/B staff member stays available on the second sheet
    staff = open_sheet(content, "帮办代办员名单")
    assert_page_setup(staff, landscape=True, title_rows="3:3")
    assert row_texts(staff, 3, 10) == [*HEADINGS_2, "岗位", "联络员", "在岗"]
    assert sum(1 for row in staff.iter_rows(min_row=4, values_only=True) if row[0]) == designated.count()


def test_attachment_2_keeps_the_row_of_a_unit_without_a_liaison(demo_city):
    unit = UnitFactory(name="资中县演示新设局", region=Region.objects.get(name="资中县"))
    Liaison.objects.create(region=unit.region, unit=unit, name="钱演示", phone="13800000077", post="B")
    sheet = open_sheet(export_liaisons(Liaison.objects.filter(unit=unit)), "附件2")
    row = [sheet.cell(4, c).value for c in range(2, 8)]
    assert row == ["内江市资中县", unit.name, None, None, None, "未指定联络员"]


@needs_office
def test_attachment_2_prints_one_page_wide(demo_city):
    content = export_liaisons(Liaison.objects.all(), "地区：内江市（含下级地区）")
    pages = pdf_pages(content, "附件2-全市")
    form_pages = [page for page in pages if "在岗" not in flat(page)]  # the staff list has 岗位/联络员/在岗
    assert_printed_like_the_form(form_pages, title=TITLE_2, first_heading="序号", last_heading="备注", last_note="")
    rows = Liaison.objects.filter(is_designated=True).count()
    assert len(form_pages) <= rows // 25 + 2  # a page holds well over 25 rows
    staff_pages = pages[len(form_pages) :]
    assert staff_pages and all("序号" in flat(page) and "在岗" in flat(page) for page in staff_pages)


# --- 附件4 --------------------------------------------------------------------------------------


@pytest.fixture
def form_4():
    unit, centre = window()
    other = UnitFactory(name="资中县医疗保障局", region=unit.region)
    start = timezone.make_aware(datetime.datetime(2026, 10, 9, 9, 30))
    for index in range(40):
        case = case_in(
            CaseStatus.COMPLETED if index % 3 else CaseStatus.IN_PROGRESS,
            unit,
            centre,
            accepted_at=start + datetime.timedelta(hours=index * 5),
            applicant_name=f"演示申请人{index + 1}",
            matter_text="城镇职工基本养老保险关系转移接续（跨省转入）",
        )
        if index % 2:
            UnitFlow.objects.create(
                case=case, unit=other, accepted_on=datetime.date(2026, 10, 12), completed_on=datetime.date(2026, 10, 15)
            )
        if index % 3:
            evaluate(case, Satisfaction.BASICALLY_SATISFIED)
    buffer = io.BytesIO()
    write_ledger(ledger_cases(unit=unit), buffer)
    keep("附件4.xlsx", buffer.getvalue())
    return buffer.getvalue()


def test_attachment_4_reads_back_as_the_form(form_4):
    sheet = open_sheet(form_4)
    assert sheet["A1"].value == TITLE_4
    assert "受理单位" in sheet["A2"].value and "导出时间" in sheet["A2"].value
    assert row_texts(sheet, 3, 10) == HEADINGS_4
    assert row_texts(sheet, 4, 10) == SUB_HEADINGS_4
    assert_page_setup(sheet, landscape=True, title_rows="3:4")
    assert_fonts_and_borders(sheet, header_rows=[3, 4])
    assert assert_footnotes(sheet, NOTES_4, 10) == 5 + 40
    # two units, two lines: the row is as high as two lines of text
    heights = {sheet.row_dimensions[n].height for n in range(5, 45)}
    assert len(heights) == 2


@needs_office
def test_attachment_4_prints_one_page_wide(form_4):
    pages = pdf_pages(form_4, "附件4")
    assert_printed_like_the_form(pages, title=TITLE_4, first_heading="序号", last_heading="备注", last_note=NOTES_4[-1])
    assert len(pages) <= 4


# --- 附件8 --------------------------------------------------------------------------------------


@pytest.fixture
def form_8(demo_city, tmp_path):
    out = tmp_path / "附件8.xlsx"
    call_command("monthly_report", "--month", "2025-10", "--out", str(out), stdout=io.StringIO())
    keep("附件8.xlsx", out.read_bytes())
    return out.read_bytes()


def test_attachment_8_reads_back_as_the_form(form_8):
    sheet = open_sheet(form_8)
    assert sheet["A1"].value == TITLE_8
    assert "内江市" in sheet["A2"].value and "2025年10月" in sheet["A2"].value
    assert row_texts(sheet, 3, 7) == HEADINGS_8
    assert row_texts(sheet, 4, 7) == SUB_HEADINGS_8
    assert_page_setup(sheet, landscape=False, title_rows="3:4")
    assert_fonts_and_borders(sheet, header_rows=[3, 4])
    first_note = assert_footnotes(sheet, NOTES_8, 7)
    assert flat(sheet.cell(first_note + 2, 1).value).startswith(flat(NOTE_8_DUTY))
    assert sheet.cell(5, 6).value == "—"  # nothing completed: a dash, the statistics page's format


@needs_office
def test_attachment_8_for_the_whole_city_prints_one_page_wide(form_8):
    pages = pdf_pages(form_8, "附件8")
    assert_printed_like_the_form(pages, title=TITLE_8, first_heading="序号", last_heading="备注", last_note="25日")
    assert len(pages) <= 3


# --- streaming --------------------------------------------------------------------------------------


def _peak_memory_writing(rows):
    day = datetime.date(2026, 10, 9)
    values = [1, day, "张三\n13800001111", "养老保险关系转移", "李窗口", "", "", None, "满意", ""]
    tracemalloc.start()
    try:
        workbook = new_workbook()
        form = FormSheet(workbook, LEDGER_LAYOUT, subtitles=("导出时间",))
        for _ in range(rows):
            form.append(values)
        form.finish()
        workbook.save(io.BytesIO())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_writer_streams_with_flat_memory():
    assert _peak_memory_writing(1500) < 2 * _peak_memory_writing(150)
