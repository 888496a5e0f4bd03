"""附件1 帮办代办事项清单 as xlsx: read a filled-in template, write a list back in the same layout.

Reading accepts the template as units really fill it: title, unit and contact rows above the
header; the template's own example rows (如行政许可, 如社会保险类, 如帮办…); 单位 written once in a
cell merged down over its matters; blank rows; the 备注 footnotes under the table; full-width and
trailing spaces; 承诺时限 as 即办, 5, 5个工作日 or 5工作日; 办理形式 as 帮办、代办 / 代办，帮办 /
帮办/代办 / 帮办 代办. Every problem is reported with its sheet row and column; nothing partial
is returned.
"""

import re
import unicodedata

from django.utils import timezone
from openpyxl.utils import get_column_letter

from daiban.models import HandlingForm
from daiban.services.catalogue import MatterRow

from .common import (
    XLSX_CONTENT_TYPE,
    ExcelFormatError,
    Heading,
    ImportErrorList,
    RowCap,
    SheetError,
    TooManyRows,
    beijing,
    cell_text,
    compact,
    find_header,
    open_workbook,
)
from .layout import Column, FormSheet, Layout, new_workbook, workbook_bytes

__all__ = [
    "LAYOUT",
    "XLSX_CONTENT_TYPE",
    "MatterRow",
    "MatterSheetError",
    "parse_handling_form",
    "parse_promised_days",
    "read_matter_workbook",
    "write_matter_workbook",
]

# The form as the policy prints it (附件1).
CONTACT_LINE = "单位：（盖章）                   联系人：                      联系电话："
LAYOUT = Layout(
    title="帮办代办事项清单",
    sheet_title="帮办代办事项清单",
    columns=(
        Column("序号", 5, "center"),
        Column("单位", 20),
        Column("事项名称", 28),
        Column("子项名称", 20),
        Column("事项类型", 11, "center"),
        Column("事项分类", 12, "center"),
        Column("承诺时限", 11, "center"),
        Column("办理形式", 11, "center"),
        Column("备注", 18),
    ),
    footnotes=(
        "备注：1.帮办是指在接受申请人咨询、协助准备齐全材料后，帮办人员带领申请人到相关窗口办理业务。",
        "2.代办是指申请人在准备齐全材料并完成材料交接手续，由代办员代替办理，并及时反馈代办结果。",
    ),
    landscape=True,
)
KEYS = ["serial", "unit", "title", "sub_item_name", "matter_type", "category", "promised_days", "handling_form", "note"]
HEADINGS = [
    Heading(key, column.heading, names=names)
    for key, column, names in zip(
        KEYS,
        LAYOUT.columns,
        [(), ("单位名称",), (), (), (), (), ("承诺时限（工作日）", "承诺时限(工作日)"), (), ()],
        strict=True,
    )
]
LABELS = {heading.key: heading.label for heading in HEADINGS}
MAX_LENGTHS = {"unit": 120, "title": 255, "sub_item_name": 200, "matter_type": 40, "category": 40, "note": 500}
CONTENT_KEYS = ["title", "sub_item_name", "matter_type", "category", "promised_days", "handling_form", "note"]

SAME_DAY = {"即办", "即时办结", "当场办结", "立即办理", "当即办结", "0"}
DAYS = re.compile(r"^(\d{1,3})\s*(个)?\s*(工作日|日)?$")
FORM_SEPARATORS = re.compile(r"[、，,/;；|\s]+|和|及")
FORM_WORDS = {"帮办": HandlingForm.ASSIST, "代办": HandlingForm.PROXY}
HEADER_UNIT = re.compile(r"单位\s*[:：]\s*(?:[（(]\s*盖章\s*[)）])?\s*(.*?)\s*(?:联系人|联系电话|$)")
FOOTNOTE_START = ("备注", "说明", "注：", "注:")
PROGRESS_EVERY = 200  # sheet rows between two progress reports


class MatterSheetError(SheetError):
    """The sheet cannot be imported; `errors` lists every problem (RowError, in Chinese)."""


# --- parsing single values -------------------------------------------------------------------


def parse_promised_days(text):
    """承诺时限 → working days (0 = 即办). Raises ValueError with a Chinese reason."""
    value = compact(unicodedata.normalize("NFKC", text))
    if not value:
        raise ValueError("承诺时限不能为空，请填写“即办”或工作日数（如 5、5个工作日）")
    if value in SAME_DAY:
        return 0
    match = DAYS.match(value)
    if not match:
        raise ValueError(f"无法识别的承诺时限“{text}”，请填写“即办”或工作日数（如 5、5个工作日）")
    return int(match.group(1))


def parse_handling_form(text):
    """办理形式 → HandlingForm value. Raises ValueError with a Chinese reason."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        raise ValueError("办理形式不能为空，请填写“帮办”“代办”或“帮办、代办”")
    words = {word for word in FORM_SEPARATORS.split(value) if word}
    unknown = words - FORM_WORDS.keys()
    if unknown:
        raise ValueError(f"无法识别的办理形式“{text}”，请填写“帮办”“代办”或“帮办、代办”")
    forms = {FORM_WORDS[word] for word in words}
    return HandlingForm.BOTH if len(forms) == 2 else forms.pop()


# --- reading a workbook --------------------------------------------------------------------


def read_matter_workbook(file, progress=None):
    """All matters of a filled-in 附件1, or MatterSheetError listing every problem.

    `progress(done, total)` (optional) hears of the sheet rows read, every PROGRESS_EVERY rows.
    """
    sheet, values, header = _open_sheet(file)
    total = max(sheet.max_row - header.row, 0)
    columns = {key: index + 1 for key, index in header.columns.items()}
    default_unit = next((unit for unit in map(_unit_from_contact_line, header.above) if unit), "")
    errors = ImportErrorList()
    rows = []
    seen = {}
    cap = RowCap("matters")
    width = sheet.max_column  # computed over every cell: once, not per row
    for number in range(header.row + 1, sheet.max_row + 1):
        if progress is not None and (number - header.row) % PROGRESS_EVERY == 0:
            progress(number - header.row, total)
        raw = {key: values(number, column) for key, column in columns.items()}
        if _is_footnote(width, values, number):
            break
        if _is_blank(raw) or _is_example(raw):
            continue
        cap.add()
        row = _parse_row(number, raw, columns, default_unit, errors)
        if row is None:
            continue
        if row.key in seen:
            errors.add(
                number,
                _column_label(columns, "title"),
                f"与第{seen[row.key]}行的事项重复（单位、事项名称、子项名称相同）",
            )
            continue
        seen[row.key] = number
        rows.append(row)
    if not rows and not errors:
        errors.add(header.row, "", "表头下没有任何事项")
    if errors:
        raise MatterSheetError(errors, sheet.title)
    return rows


def _open_sheet(file):
    """(sheet, merged-cell lookup, Header) of the first sheet with the 附件1 header."""
    workbook = open_workbook(file, read_only=False)  # merged cells are needed: not read_only (size-checked)
    cap = RowCap("matters")
    for sheet in workbook.worksheets:
        if sheet.max_row > cap.limit + cap.SLACK:
            raise TooManyRows(cap.message)
        values = _merged_values(sheet)
        width = sheet.max_column
        rows = ((n, [values(n, c) for c in range(1, width + 1)]) for n in range(1, sheet.max_row + 1))
        header, _rest = find_header(rows, HEADINGS, anchors=("unit", "title"))
        if header is not None:
            return sheet, values, header
    raise ExcelFormatError("找不到表头：工作表的前20行中应有一行包含“单位”和“事项名称”。")


def _merged_values(sheet):
    """A lookup (row, column) → cleaned text, where every cell of a merged range has the range's value."""
    merged = {}
    for cell_range in sheet.merged_cells.ranges:
        value = sheet.cell(cell_range.min_row, cell_range.min_col).value
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for column in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, column)] = value

    def lookup(row, column):
        if (row, column) in merged:
            return cell_text(merged[(row, column)])
        return cell_text(sheet.cell(row, column).value)

    return lookup


def _unit_from_contact_line(text):
    match = HEADER_UNIT.search(text)
    return match.group(1).strip() if match else ""


def _is_footnote(width, values, number):
    texts = [values(number, column) for column in range(1, width + 1)]
    first = next((text for text in texts if text), "")
    return first.startswith(FOOTNOTE_START)


def _is_blank(raw):
    return not any(raw.get(key) for key in CONTENT_KEYS)


def _is_example(raw):
    """The template's own example rows: every filled cell says 如…, and no matter is named."""
    filled = [raw.get(key) for key in CONTENT_KEYS if raw.get(key)]
    return not raw.get("title") and all(text.startswith("如") for text in filled)


def _column_label(columns, key):
    column = columns.get(key)
    return f"{LABELS[key]}（{get_column_letter(column)}列）" if column else LABELS[key]


def _parse_row(number, raw, columns, default_unit, errors):
    before = len(errors)
    unit = raw.get("unit") or default_unit
    if not unit:
        errors.add(number, _column_label(columns, "unit"), "单位不能为空")
    if not raw.get("title"):
        errors.add(number, _column_label(columns, "title"), "事项名称不能为空")
    for key, limit in MAX_LENGTHS.items():
        text = unit if key == "unit" else raw.get(key, "")
        if len(text) > limit:
            errors.add(number, _column_label(columns, key), f"内容过长（{len(text)}字，最多{limit}字）")
    promised_days = _parse_value(parse_promised_days, number, raw, columns, "promised_days", errors)
    handling_form = _parse_value(parse_handling_form, number, raw, columns, "handling_form", errors)
    if len(errors) > before:
        return None
    return MatterRow(
        unit=unit,
        title=raw["title"],
        sub_item_name=raw.get("sub_item_name", ""),
        matter_type=raw.get("matter_type", ""),
        category=raw.get("category", ""),
        promised_days=promised_days,
        handling_form=handling_form,
        note=raw.get("note", ""),
        sheet_row=number,
    )


def _parse_value(parser, number, raw, columns, key, errors):
    if key not in columns:
        errors.add(number, LABELS[key], "表头中缺少此列")
        return None
    try:
        return parser(raw.get(key, ""))
    except ValueError as error:
        errors.add(number, _column_label(columns, key), str(error))
        return None


# --- writing a workbook --------------------------------------------------------------------


def write_matter_workbook(rows, scope=""):
    """xlsx bytes of matters in the 附件1 layout; a unit's consecutive rows share one merged 单位 cell.

    `scope` names the list exported (e.g. "资中县县级帮办代办事项清单"); it goes in the sub-title row
    with the export time, above the form's own 单位/联系人/联系电话 line.
    """
    workbook = new_workbook()
    parts = [f"清单：{scope}"] if scope else []
    parts += [f"共{len(rows)}项", f"导出时间：{beijing(timezone.now())}（北京时间）"]
    form = FormSheet(workbook, LAYOUT, subtitles=("　　".join(parts), CONTACT_LINE))
    first_data_row = form.row + 1
    for serial, row in enumerate(rows, start=1):
        continues_unit = serial > 1 and rows[serial - 2].unit == row.unit
        form.append(
            [
                serial,
                "" if continues_unit else row.unit,
                row.title,
                row.sub_item_name,
                row.matter_type,
                row.category,
                row.promised_label,
                row.handling_form_label,
                row.note,
            ]
        )
    _merge_units(form, rows, first_data_row)
    form.finish()
    return workbook_bytes(workbook)


def _merge_units(form, rows, first_data_row):
    start = 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or rows[index].unit != rows[start].unit:
            if index - start > 1:
                form.merge(f"B{first_data_row + start}:B{first_data_row + index - 1}")
            start = index
