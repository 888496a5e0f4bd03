"""Small helpers shared by the xlsx exports and imports of the attachments.

Writing:
  - safe_text(value): text for a cell; values starting with = + - @ get a leading ' so a
    spreadsheet never evaluates them as formulas.
  - beijing(dt): a datetime as Beijing time text ("2026-07-06 09:30").
  - write_only_sheet(title) / title_row / header_row / data_row / set_widths / workbook_bytes:
    a streaming (write_only) workbook with the attachments' title and header styling.

Reading:
  - read_rows(file): (sheet row number, [cell text, ...]) for the first sheet, read_only,
    with full-width spaces folded and the ' neutraliser removed; raises ExcelFormatError.
  - find_header(rows, required): the header row (tolerating title rows above it).

Errors:
  - RowError(row, column, message) and ImportErrorList, which collects them; str(error) reads
    "第5行【联系电话】：联系电话不能为空".

openpyxl is used with defusedxml installed, so untrusted uploads cannot expand XML entities.
"""

import datetime
import io
import re
from dataclasses import dataclass
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

__all__ = [
    "XLSX_CONTENT_TYPE",
    "ExcelFormatError",
    "ImportErrorList",
    "RowError",
    "beijing",
    "cell_text",
    "compact",
    "data_row",
    "find_header",
    "header_row",
    "read_rows",
    "safe_text",
    "set_widths",
    "title_row",
    "workbook_bytes",
    "write_only_sheet",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BEIJING = ZoneInfo("Asia/Shanghai")
FORMULA_PREFIXES = ("=", "+", "-", "@")
BLANKS = re.compile(r"[\s\u3000\u00a0]+")

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="黑体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="center", wrap_text=True)


class ExcelFormatError(ValueError):
    """The upload is not a readable xlsx workbook or has no recognisable header. Message in Chinese."""


# --- writing -------------------------------------------------------------------------------


def safe_text(value):
    """Cell value for export: None → "", text starting with = + - @ → prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def beijing(value, fmt="%Y-%m-%d %H:%M"):
    """A datetime (aware or naive UTC) as Beijing time text; None → ""."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(BEIJING).strftime(fmt)


def write_only_sheet(title):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    return workbook, sheet


def _cell(sheet, value, font, alignment, border=None, fill=None):
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = border
    if fill:
        cell.fill = fill
    return cell


def title_row(sheet, text, width):
    """A bold title merged across `width` columns; call before any other row."""
    row_number = sheet._max_row + 1
    sheet.append([_cell(sheet, text, TITLE_FONT, CENTRED)])
    sheet.merged_cells.add(f"A{row_number}:{get_column_letter(width)}{row_number}")
    sheet.row_dimensions[row_number].height = 32


def header_row(sheet, labels):
    sheet.append([_cell(sheet, label, HEADER_FONT, CENTRED, BORDER, HEADER_FILL) for label in labels])


def data_row(sheet, values):
    sheet.append([_cell(sheet, value, BODY_FONT, WRAPPED, BORDER) for value in values])


def set_widths(sheet, widths):
    """Column widths in characters; set before appending rows (write_only)."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def workbook_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------


def cell_text(value):
    """Text of a read cell: whole floats without ".0", spaces (also full-width) folded, ' neutraliser removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = BLANKS.sub(" ", str(value)).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def compact(text):
    """Text without any whitespace, for matching headers and names typed with stray spaces."""
    return BLANKS.sub("", text or "")


def read_rows(file):
    """Yield (sheet row number, [cell text, ...]) for every row of the first sheet."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ExcelFormatError("无法读取文件：请上传 Excel 工作簿（.xlsx 格式）。") from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def find_header(rows, required, search_rows=20):
    """Find the header among the first rows: the first row containing every required label.

    Returns (header row number, {compact label: column index}, remaining rows iterator).
    """
    rows = iter(rows)
    for number, values in rows:
        labels = {compact(value): index for index, value in enumerate(values) if value}
        if all(label in labels for label in required):
            return number, labels, rows
        if number >= search_rows:
            break
    raise ExcelFormatError("找不到表头：第一张工作表的前20行中应有一行包含“" + "”“".join(required) + "”。")


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet: its row number as the spreadsheet shows it, column label, reason."""

    row: int
    column: str
    message: str

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        column = f"【{self.column}】" if self.column else ""
        return f"{where}{column}：{self.message}"


class ImportErrorList:
    """The errors of one import, in the order found. Empty means the import may proceed."""

    def __init__(self):
        self._errors = []

    def add(self, row, column, message):
        self._errors.append(RowError(row, column, message))

    def __iter__(self):
        return iter(self._errors)

    def __len__(self):
        return len(self._errors)

    def __bool__(self):
        return bool(self._errors)

    def rows(self):
        return sorted({error.row for error in self._errors})

    def messages(self):
        return [str(error) for error in self._errors]
