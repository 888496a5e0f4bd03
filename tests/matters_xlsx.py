"""Build 附件1 workbooks the way units really fill them in, for the import tests."""

import io

from openpyxl import Workbook

HEADER = ["序号", "单位", "事项名称", "子项名称", "事项类型", "事项分类", "承诺时限", "办理形式", "备注"]


def workbook_bytes(
    rows,
    *,
    unit_line="单位：（盖章）                   联系人：张三            联系电话：13800000000",
    merges=(),
    title="帮办代办事项清单",
    examples=True,
    footnotes=True,
    sheet_title="Sheet1",
):
    """An xlsx like the template: title and contact rows, header, the template's example rows, the
    given rows (lists of 9 values, None for an empty cell), blank rows and the 备注 footnotes.
    `merges` are ranges over the given rows, counted from 0, e.g. ("B", 0, 2) merges B over rows 0–2."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append([title])
    sheet.merge_cells("A1:I1")
    sheet.append([unit_line])
    sheet.append(HEADER)
    if examples:
        sheet.append([None, None, None, None, "如行政许可", "如农业农村类", None, "如帮办", None])
        sheet.append([None, None, None, None, None, "如社会保险类", None, "如代办、帮办", None])
    first = sheet.max_row + 1
    for values in rows:
        sheet.append(list(values) + [None] * (9 - len(values)))
    for column, start, end in merges:
        sheet.merge_cells(f"{column}{first + start}:{column}{first + end}")
    sheet.append([None] * 9)
    sheet.append([None] * 9)
    if footnotes:
        sheet.append(["备注：1.帮办是指在接受申请人咨询、协助准备齐全材料后，帮办人员带领申请人到相关窗口办理业务。"])
        sheet.append(["2.代办是指申请人在准备齐全材料并完成材料交接手续，由代办员代替办理，并及时反馈代办结果。"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def first_data_row(examples=True):
    """The sheet row number of the first given row."""
    return 4 + (2 if examples else 0)


def read_back(content):
    """All cell values of the first sheet, and its merged ranges, for checking an export."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], {str(r) for r in sheet.merged_cells.ranges}
