"""What every xlsx import and export of the attachments shares: the formula guard, reading, the header
finder and the errors. The layout of a written form is in layout.py.

Writing:
  - safe_text(value): the one formula guard (OWASP "CSV injection"): text starting with = + - @ tab or
    carriage return gets a leading ', so a spreadsheet never evaluates it.
  - beijing(dt): a datetime as Beijing time text ("2026-07-06 09:30").

Reading:
  - open_workbook(file): a workbook, or ExcelFormatError in Chinese.
  - sheet_rows(sheet): (sheet row number, [cell value, ...]) for every row.
  - cell_text(value): a read cell as clean text (spaces folded, the ' of safe_text removed).
  - find_header(rows, headings, anchors): the one header finder of every import: the first row
    (among the first 20) naming every anchor column, plus a second header row when the form has
    one (附件4's 受理日期/办结日期 under 相关单位流转情况).

Errors:
  - RowError(row, column, message, sheet=""): one problem; str(error) reads
    "第5行【联系电话】：联系电话不能为空" (prefixed with 工作表“…” when the sheet is named).
  - ImportErrorList collects them; SheetError is the exception an import raises with all of them.

openpyxl is used with defusedxml installed, so untrusted uploads cannot expand XML entities.
"""

import datetime
import itertools
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

__all__ = [
    "XLSX_CONTENT_TYPE",
    "ExcelFormatError",
    "Header",
    "Heading",
    "ImportErrorList",
    "RowCap",
    "RowError",
    "SheetError",
    "TooManyRows",
    "beijing",
    "cell_text",
    "compact",
    "find_header",
    "open_workbook",
    "safe_text",
    "sheet_rows",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BEIJING = ZoneInfo("Asia/Shanghai")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BLANKS = re.compile(r"[\s\u3000\u00a0]+")
HEADER_SEARCH_ROWS = 20


class ExcelFormatError(ValueError):
    """The upload is not a readable xlsx workbook or has no recognisable header. Message in Chinese."""


class DamagedWorkbook(ExcelFormatError):
    """An xlsx whose XML is cut off or hostile (entity expansion, external entities)."""


class TooManyRows(ExcelFormatError):
    """More rows than an import accepts (settings.IMPORT_MAX_ROWS), or a file that unpacks too large."""


# --- writing -------------------------------------------------------------------------------


def safe_text(value):
    """Cell value for export: None → "", text a spreadsheet would run as a formula → prefixed with '."""
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


# --- reading -------------------------------------------------------------------------------


# A damaged part of the workbook, or XML that defusedxml refuses (entity expansion, external entities).
XML_ERRORS = (ParseError, DefusedXmlException)
EXTERNAL_LINKS = "工作簿含有指向其他文件的外部链接，未读取：请在 Excel 中“数据→编辑链接→断开链接”后重新上传。"
UNPACKS_TOO_LARGE = "文件解压后过大（疑似压缩炸弹），已拒绝读取：请删除多余的行、列和格式后重新上传。"
MALFORMED = "文件内容已损坏或含有不允许的 XML 结构，无法读取：请在 Excel 中另存为 .xlsx 后重新上传。"


def open_workbook(file, *, read_only=True):
    """A workbook, refused before openpyxl reads it when a part would unpack too large (a zip bomb).

    read_only sheets are streamed (the row cap stops them); every other part, and the whole workbook
    when it is loaded at once, is held in memory, so its unpacked size is limited by the settings.
    """
    _check_unpacked_size(file, read_only)
    try:
        return load_workbook(file, read_only=read_only, data_only=True)
    except (*XML_ERRORS, BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        if _caused_by_xml(error):  # openpyxl wraps a sheet's XML error in a ValueError
            raise DamagedWorkbook(MALFORMED) from error
        raise ExcelFormatError("无法读取文件：请上传 Excel 工作簿（.xlsx 格式）。") from error


def _check_unpacked_size(file, read_only):
    part_limit = settings.IMPORT_MAX_PART_BYTES
    total_limit = settings.IMPORT_MAX_LOADED_BYTES
    try:
        position = file.tell() if hasattr(file, "tell") else None
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl gives the usual message
    finally:
        if hasattr(file, "seek") and position is not None:
            file.seek(position)
    if any(p.filename.startswith("xl/externalLinks/") for p in parts):
        raise ExcelFormatError(EXTERNAL_LINKS)
    held = [p for p in parts if not (read_only and p.filename.startswith("xl/worksheets/"))]
    if any(p.file_size > part_limit for p in held) or (not read_only and sum(p.file_size for p in parts) > total_limit):
        raise TooManyRows(UNPACKS_TOO_LARGE)


def _caused_by_xml(error):
    while error is not None:
        if isinstance(error, XML_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


def sheet_rows(sheet):
    """(sheet row number, [raw cell value, ...]) for every row of a sheet; ExcelFormatError for damaged XML.

    A read_only sheet is parsed while it is read, so its XML errors surface here, not when it is opened.
    """
    if hasattr(sheet, "reset_dimensions"):  # read_only sheets may carry a wrong stored size
        sheet.reset_dimensions()
    try:
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except XML_ERRORS as error:
        raise DamagedWorkbook(MALFORMED) from error


class RowCap:
    """The row cap of one import (settings.IMPORT_MAX_ROWS[kind]), counted while the rows stream in.

    The reader calls `add()` for each data row it reads; the first one over the cap raises TooManyRows.
    `take(rows)` passes the rows under a header through and refuses a sheet with more than
    `limit + SLACK` rows of any kind (empty rows, footnotes), so a sheet that unpacks to millions
    of rows is refused after reading about `limit` of them. One cap serves every sheet of a workbook.
    """

    SLACK = 1000

    def __init__(self, kind, limit=None):
        self.limit = limit if limit is not None else settings.IMPORT_MAX_ROWS[kind]
        self.rows = 0
        self.seen = 0

    @property
    def message(self):
        return f"数据行超过{self.limit}行的上限，未导入任何数据：请分成多个文件分别导入。"

    def add(self):
        self.rows += 1
        if self.rows > self.limit:
            raise TooManyRows(self.message)

    def take(self, rows):
        for item in rows:
            self.seen += 1
            if self.seen > self.limit + self.SLACK:
                raise TooManyRows(self.message)
            yield item


def cell_text(value):
    """Text of a read cell: whole floats without ".0", spaces (also full-width) folded, ' of safe_text removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return BLANKS.sub(" ", text).strip()


def compact(text):
    """Text without any whitespace, for matching headers and names typed with stray spaces."""
    return BLANKS.sub("", text or "")


@dataclass(frozen=True)
class Heading:
    """A column an import looks for: its key, its label (as errors name it) and how a header cell names it.

    A cell names the column when its text (without spaces) is the label or one of `names`, or, with
    `word`, when it contains that word (for forms whose headings vary from one office to the next).
    """

    key: str
    label: str
    names: tuple = ()
    word: str = ""

    def matches(self, text):
        return text == compact(self.label) or text in self.names or bool(self.word and self.word in text)


@dataclass
class Header:
    row: int  # sheet row number of the (last) header row
    columns: dict  # key → 0-based column index
    above: list  # texts of the rows above the header (title, 单位/联系人 lines)


def _match(values, headings, columns):
    found = dict(columns)
    for index, value in enumerate(values):
        text = compact(cell_text(value))
        if not text:
            continue
        for heading in headings:
            if heading.key not in found and heading.matches(text):
                found[heading.key] = index
                break
    return found


def find_header(rows, headings, anchors, *, sub_keys=(), search_rows=HEADER_SEARCH_ROWS, cap=None):
    """Find the header among the first rows: the first row naming every column in `anchors`.

    When the row under it names a column of `sub_keys`, the header has two rows (merged group
    headings above, their parts below). Returns (Header, iterator over the rows under the header)
    or (None, None) when no header is found. `rows` yields (row number, [cell values]). With a RowCap,
    the rows under the header are counted by it as they are read.
    """
    header, rest = _find_header(rows, headings, anchors, sub_keys, search_rows)
    return header, (cap.take(rest) if cap is not None and rest is not None else rest)


def _find_header(rows, headings, anchors, sub_keys, search_rows):
    rows = iter(rows)
    above = []
    for number, values in rows:
        if number > search_rows:
            break
        columns = _match(values, headings, {})
        if not all(key in columns for key in anchors):
            above.append(" ".join(cell_text(value) for value in values if value not in (None, "")))
            continue
        if sub_keys:
            following = next(rows, None)
            if following is not None:
                extended = _match(following[1], [h for h in headings if h.key in sub_keys], columns)
                if len(extended) > len(columns):
                    return Header(following[0], extended, above), rows
                rows = itertools.chain([following], rows)
        return Header(number, columns, above), rows
    return None, None


# --- errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet: its row number as the spreadsheet shows it, column label, reason."""

    row: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self):
        sheet = f"工作表“{self.sheet}”" if self.sheet else ""
        where = f"第{self.row}行" if self.row else ("" if sheet else "文件")
        column = f"【{self.column}】" if self.column else ""
        return f"{sheet}{where}{column}：{self.message}"


class ImportErrorList:
    """The errors of one import, in the order found. Empty means the import may proceed."""

    def __init__(self):
        self._errors = []

    def add(self, row, column, message, sheet=""):
        self._errors.append(RowError(row, column, message, sheet))

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


class SheetError(Exception):
    """An import refused as a whole; `errors` lists every RowError found (all or nothing)."""

    def __init__(self, errors, sheet_name=""):
        self.errors = list(errors)
        self.sheet_name = sheet_name
        super().__init__("\n".join(str(error) for error in self.errors))

    def messages(self):
        return [str(error) for error in self.errors]
