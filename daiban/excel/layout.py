"""The one writer of the attachments' forms (附件1, 2, 4, 8) as xlsx that print like the paper form.

A form is declared as a `Layout`: its title, its columns (heading, width, alignment; columns that
share a `group` sit under one merged heading in a two-row header, like 附件4's 相关单位流转情况 over
受理日期/办结日期), its footnotes (说明/备注, verbatim from the policy) and its orientation.
`FormSheet` writes it on a streaming (write_only) worksheet:

  title row (merged, 黑体) → sub-title rows (merged: the 单位/联系人 line, the filter of the export,
  export time) → header rows (merged, filled, bordered; repeated on every printed page) → data rows
  (宋体, thin borders, wrapped, each row as high as its wrapped text) → footnote rows (merged).

Page set-up: A4, landscape or portrait as declared, fit to one page wide and as many pages tall as
needed (fitToHeight 0), header rows as print titles, 1.3 cm margins, centred, page numbers in the
footer. Every text goes through the one formula guard (common.safe_text).

openpyxl's write-only worksheet keeps widths, sheet properties and panes that must be set before the
first row, and writes merges, page set-up and print titles after the rows: so everything but the
merges is set in the constructor, and memory stays flat whatever the number of rows (a row's height
is dropped once the row is written).
"""

import datetime
import functools
import io
import math
import unicodedata
from copy import copy
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from .common import safe_text

__all__ = ["Column", "Layout", "FormSheet", "new_workbook", "workbook_bytes", "BODY_FONT_NAME", "TITLE_FONT_NAME"]

TITLE_FONT_NAME = "黑体"
BODY_FONT_NAME = "宋体"
BODY_SIZE = 11
LINE_HEIGHT = 1.45  # points per point of font size: CJK fonts need more than Latin ones
CELL_PADDING = 5  # points above and below a cell's text
A4 = 9  # the paperSize code of A4 in SpreadsheetML

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_STYLES = {
    # name: (font, alignment, border, fill)
    "title": (Font(name=TITLE_FONT_NAME, size=18), Alignment(horizontal="center", vertical="center"), None, None),
    "subtitle": (Font(name=BODY_FONT_NAME, size=BODY_SIZE), Alignment(vertical="center", wrap_text=True), None, None),
    "header": (
        Font(name=TITLE_FONT_NAME, size=BODY_SIZE),
        Alignment(horizontal="center", vertical="center", wrap_text=True),
        _BORDER,
        PatternFill("solid", fgColor="D9D9D9"),
    ),
    "left": (Font(name=BODY_FONT_NAME, size=BODY_SIZE), Alignment(vertical="center", wrap_text=True), _BORDER, None),
    "center": (
        Font(name=BODY_FONT_NAME, size=BODY_SIZE),
        Alignment(horizontal="center", vertical="center", wrap_text=True),
        _BORDER,
        None,
    ),
    "left_bold": (
        Font(name=BODY_FONT_NAME, size=BODY_SIZE, bold=True),
        Alignment(vertical="center", wrap_text=True),
        _BORDER,
        None,
    ),
    "center_bold": (
        Font(name=BODY_FONT_NAME, size=BODY_SIZE, bold=True),
        Alignment(horizontal="center", vertical="center", wrap_text=True),
        _BORDER,
        None,
    ),
    "footnote": (
        Font(name=BODY_FONT_NAME, size=BODY_SIZE),
        Alignment(vertical="top", wrap_text=True),
        None,
        None,
    ),
}
_SIZES = {"title": 18}


def number_format_of(value):
    """Dates and times read as dates and times in Excel; everything else keeps the style's format."""
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, datetime.date):
        return "yyyy-mm-dd"
    return None


@dataclass(frozen=True)
class Column:
    heading: str
    width: float  # in characters, as Excel counts them
    align: str = "left"  # "left" or "center"
    group: str = ""  # a merged heading above this and the neighbouring columns of the same group


@dataclass(frozen=True)
class Layout:
    title: str
    columns: tuple
    footnotes: tuple = ()
    landscape: bool = True
    sheet_title: str = ""

    @property
    def width(self):
        return len(self.columns)

    @property
    def header_rows(self):
        return 2 if any(column.group for column in self.columns) else 1


def new_workbook():
    return Workbook(write_only=True)


def workbook_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def text_width(text):
    """Width of a line in half-width characters: a CJK character is two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _display(value):
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return "" if value is None else str(value)


def lines_needed(value, width, size=BODY_SIZE):
    """How many lines a wrapped cell of `width` characters needs for `value`."""
    if value is None or value == "":
        return 1
    return _lines_of_text(_display(value), width, size)


@functools.lru_cache(maxsize=4096)  # bounded: a ledger repeats its matters, units and dates, not its names
def _lines_of_text(text, width, size):
    usable = max(width - 1.5, 1)
    scale = size / BODY_SIZE
    return sum(max(1, math.ceil(text_width(line) * scale / usable)) for line in text.split("\n"))


def row_height(lines, size=BODY_SIZE):
    return round(lines * size * LINE_HEIGHT + CELL_PADDING, 1)


def _cells_as_row(cells, row_idx):
    for col_idx, cell in enumerate(cells, 1):
        cell.column = col_idx
        cell.row = row_idx
        yield cell


@dataclass
class FormSheet:
    """One form on one write-only worksheet of `workbook`. Call append() per data row, then finish()."""

    workbook: Workbook
    layout: Layout
    subtitles: tuple = ()
    sheet: object = field(init=False)
    row: int = field(init=False, default=0)

    def __post_init__(self):
        layout = self.layout
        self.sheet = self.workbook.create_sheet(title=(layout.sheet_title or layout.title)[:31])
        # Every row this form appends is a list of styled cells: hand them to the writer as they are.
        # openpyxl's own conversion first tries each cell as a value and catches the ValueError, which
        # costs more than writing the cell (openpyxl 3.1, pinned in requirements.txt).
        self.sheet._values_to_row = _cells_as_row
        self._styles = {}
        self._data_cells = {}
        self._heights = {}
        self._widths = [column.width for column in layout.columns]
        for index, width in enumerate(self._widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self._page_setup()
        self._title()
        for text in self.subtitles:
            self._full_width_row(text, "subtitle")
        self._headers()

    # --- set-up ---------------------------------------------------------------------------

    def _page_setup(self):
        sheet = self.sheet
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        setup = sheet.page_setup
        setup.paperSize = A4
        setup.orientation = "landscape" if self.layout.landscape else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        sheet.print_options.horizontalCentered = True
        sheet.HeaderFooter.oddFooter.center.text = "第 &P 页，共 &N 页"
        sheet.HeaderFooter.oddFooter.center.font = BODY_FONT_NAME
        sheet.HeaderFooter.oddFooter.center.size = 9
        first_header = 2 + len(self.subtitles)
        last_header = first_header + self.layout.header_rows - 1
        sheet.print_title_rows = f"{first_header}:{last_header}"
        sheet.freeze_panes = f"A{last_header + 1}"

    def _style(self, name, number_format=None):
        """Each style is registered with the workbook once, then copied onto cells (much faster)."""
        key = (name, number_format)
        if key not in self._styles:
            font, alignment, border, fill = _STYLES[name]
            prototype = WriteOnlyCell(self.sheet)
            prototype.font = font
            prototype.alignment = alignment
            if border:
                prototype.border = border
            if fill:
                prototype.fill = fill
            if number_format:
                prototype.number_format = number_format
            self._styles[key] = prototype._style
        return self._styles[key]

    def _cell(self, value, style):
        cell = WriteOnlyCell(self.sheet, value=safe_text(value))
        number_format = number_format_of(value)
        cell._style = copy(self._style(style, number_format))
        return cell

    def _data_cell(self, index, value, style):
        """The cell of column `index` for `value`, reused from row to row: the writer writes each row
        before the next is appended, so one cell per column and style is enough (and much cheaper)."""
        number_format = number_format_of(value)
        key = (index, style, number_format)
        cell = self._data_cells.get(key)
        if cell is None:
            cell = self._data_cells[key] = WriteOnlyCell(self.sheet)
            cell._style = copy(self._style(style, number_format))
        cell.value = safe_text(value)
        return cell

    def _write(self, cells, height):
        self.row += 1
        # The row's height as the attributes openpyxl writes for it, made once per height (a
        # RowDimension per row costs as much as a cell); removed once the row is written: memory stays flat.
        attributes = self._heights.get(height)
        if attributes is None:
            attributes = self._heights[height] = dict(RowDimension(self.sheet, height=height))
        self.sheet.row_dimensions[self.row] = attributes
        self.sheet.append(cells)
        del self.sheet.row_dimensions[self.row]
        return self.row

    def merge(self, ref):
        self.sheet.merged_cells.add(CellRange(ref))

    def _full_width_row(self, text, style):
        size = _SIZES.get(style, BODY_SIZE)
        lines = lines_needed(text, sum(self._widths), size)
        cells = [self._cell(text, style)] + [self._cell(None, style) for _ in self._widths[1:]]
        row = self._write(cells, row_height(lines, size))
        self.merge(f"A{row}:{get_column_letter(self.layout.width)}{row}")

    def _title(self):
        self._full_width_row(self.layout.title, "title")

    def _headers(self):
        columns = self.layout.columns
        if self.layout.header_rows == 1:
            lines = max(lines_needed(c.heading, c.width) for c in columns)
            self._write([self._cell(c.heading, "header") for c in columns], row_height(lines))
            return
        top = []
        for index, column in enumerate(columns):
            starts_group = column.group and (index == 0 or columns[index - 1].group != column.group)
            top.append(column.group if starts_group else (None if column.group else column.heading))
        lines = max(lines_needed(text or "", c.width) for text, c in zip(top, columns, strict=True))
        first = self._write([self._cell(text, "header") for text in top], row_height(lines))
        bottom = [column.heading if column.group else None for column in columns]
        lines = max(lines_needed(text or "", c.width) for text, c in zip(bottom, columns, strict=True))
        self._write([self._cell(text, "header") for text in bottom], row_height(lines))
        index = 0
        while index < len(columns):
            column = columns[index]
            letter = get_column_letter(index + 1)
            if not column.group:
                self.merge(f"{letter}{first}:{letter}{first + 1}")
                index += 1
                continue
            end = index
            while end + 1 < len(columns) and columns[end + 1].group == column.group:
                end += 1
            self.merge(f"{letter}{first}:{get_column_letter(end + 1)}{first}")
            index = end + 1

    # --- data -----------------------------------------------------------------------------

    def append(self, values, *, bold=False):
        """One data row; returns its sheet row number."""
        suffix = "_bold" if bold else ""
        pairs = list(zip(values, self.layout.columns, strict=True))
        cells = [self._data_cell(index, value, column.align + suffix) for index, (value, column) in enumerate(pairs)]
        lines = max(lines_needed(value, column.width) for value, column in pairs)
        return self._write(cells, row_height(lines))

    def finish(self):
        """The footnotes under the table, each merged across the form's width."""
        for text in self.layout.footnotes:
            self._full_width_row(text, "footnote")
        return self.sheet
