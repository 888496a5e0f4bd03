"""Export the 帮办代办服务事项办件统计表 (附件8) in its layout.

The table has one line per reporting unit plus the roll-up lines of the region tree,
so it is small (bounded by the number of units, not cases): a normal workbook is fine.
"""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .ledger import neutralise

__all__ = ["MONTHLY_TITLE", "write_monthly"]

MONTHLY_TITLE = "帮办代办服务事项办件统计表"
FOOTNOTES = [
    "说明：1.受理数量=在办数量+办结数量。",
    "　　　2.满意度=“非常满意”“满意”“基本满意”评价件数之和/总办结数*100%。",
    "　　　3.请各单位于每月25日前将上月统计表报送市政务服务局帮办代办窗口。",
]
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(vertical="center", wrap_text=True)
WIDTHS = {"A": 6, "B": 36, "C": 12, "D": 12, "E": 12, "F": 12, "G": 20}


def write_monthly(rows, target, *, period, scope_name):
    """`rows`: StatRows from daiban.statistics.statistics_table, in tree order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MONTHLY_TITLE
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    _title(sheet, period, scope_name)
    _headings(sheet)
    serial = 0
    row_number = 4
    for row in rows:
        row_number += 1
        if not row.is_region:
            serial += 1
        _figures_row(sheet, row_number, row, serial)
    for note in FOOTNOTES:
        row_number += 1
        sheet.cell(row_number, 1, note).alignment = LEFT
        sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=7)
    sheet.print_title_rows = "3:4"
    workbook.save(target)


def _title(sheet, period, scope_name):
    sheet["A1"] = MONTHLY_TITLE
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = CENTRE
    sheet.merge_cells("A1:G1")
    sheet["A2"] = neutralise(f"填报范围：{scope_name}　　统计期间：{period.label}")
    sheet["A2"].alignment = LEFT
    sheet.merge_cells("A2:G2")


def _headings(sheet):
    for column, text in {"A": "序号", "B": "单位名称", "C": "帮办代办服务事项情况", "G": "备注"}.items():
        sheet[f"{column}3"] = text
    for column, text in {"C": "受理数量", "D": "在办数量", "E": "办结数量", "F": "满意度"}.items():
        sheet[f"{column}4"] = text
    for ref in ("A3:A4", "B3:B4", "C3:F3", "G3:G4"):
        sheet.merge_cells(ref)
    for row in sheet.iter_rows(min_row=3, max_row=4, max_col=7):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = CENTRE
            cell.border = BORDER


def _figures_row(sheet, number, row, serial):
    figures = row.figures
    rate = figures.satisfaction
    values = [
        None if row.is_region else serial,
        neutralise("　" * row.depth + row.name),
        figures.accepted,
        figures.in_progress,
        figures.completed,
        "—" if rate is None else figures.satisfied / figures.completed,
        "合计" if row.is_region else "",
    ]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(number, column, value)
        cell.border = BORDER
        cell.alignment = LEFT if column == 2 else CENTRE
        if row.is_region:
            cell.font = Font(bold=True)
    if rate is not None:
        sheet.cell(number, 6).number_format = "0.00%"
