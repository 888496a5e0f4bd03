"""Read historical 帮办代办工作登记台账 (附件4) workbooks as the windows kept them.

Quirks handled: title rows above the header; the two-row header with 相关单位流转情况
merged over 受理日期 / 办结日期; dates as Excel dates, Excel serial numbers or text
(2026-10-09, 2026/10/09, 2026.10.9, 2026年10月9日); name and phone in one cell;
several units in one cell, one per line, optionally "单位：日期"; 评价 as one of the
five levels or empty; footnotes (说明…) below the table.

Nothing is written unless every row is valid (all or nothing); errors name the sheet
row, the column and the reason in Chinese.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from ..models import Case, MatterPage, Satisfaction, Unit
from ..services.imports import FlowLine, HistoricalRow, import_historical_case
from .common import (
    EXTERNAL_LINKS,
    DamagedWorkbook,
    ExcelFormatError,
    Heading,
    RowCap,
    RowError,
    SheetError,
    TooManyRows,
    find_header,
    open_workbook,
    sheet_rows,
)

__all__ = ["LedgerImportError", "LedgerPreview", "parse_date", "preview_ledger", "import_ledger"]

LEVELS = {label: value for value, label in Satisfaction.choices}
PHONE = re.compile(r"(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|(?<!\d)\d{7,8}(?!\d))")
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
FOOTNOTE = re.compile(r"^\s*(说明|注[:：]|备注[:：]|填表|制表|审核)")
KEYS_PER_QUERY = 5000
PROGRESS_EVERY = 1000  # rows read between two progress reports of a job
SEPARATORS = " \t\r\n,，;；/、:：()（）-—　"

# Headings vary between offices: a column is found by a word its heading contains.
# Order matters: a heading is given to the first column whose word it contains.
HEADINGS = [
    Heading("unit_accepted", "受理日期", word="受理日期"),
    Heading("unit_completed", "办结日期", word="办结日期"),
    Heading("serial", "序号", word="序号"),
    Heading("accepted_on", "申请日期", word="申请日期"),
    Heading("applicant", "申请人姓名及电话", word="申请人"),
    Heading("matter", "帮办代办事项名称", word="事项"),
    Heading("receiver", "帮办代办窗口收件人姓名", word="收件人"),
    Heading("delivered_on", "帮办代办窗口反馈时间", word="反馈"),
    Heading("level", "评价情况", word="评价"),
    Heading("note", "备注", word="备注"),
]
REQUIRED = ("accepted_on", "applicant", "matter", "unit_accepted", "unit_completed")
LABELS = {heading.key: heading.label for heading in HEADINGS}


class LedgerImportError(SheetError):
    """The ledger cannot be imported; `errors` lists every problem."""


@dataclass
class LedgerPreview:
    rows: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    existing_keys: set = field(default_factory=set)

    @property
    def new_rows(self):
        return [row for row in self.rows if row.key not in self.existing_keys]

    @property
    def duplicate_rows(self):
        return [row for row in self.rows if row.key in self.existing_keys]


class _CellError(ValueError):
    pass


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value):
    """An Excel date, an Excel serial number or one of the text forms; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:
        return from_excel(value).date()
    text = _text(value)
    match = DATE.fullmatch(text) or DATE.match(text)
    if not match:
        raise _CellError(f"无法识别日期“{text}”，请使用 2026-10-09、2026/10/09、2026.10.9 或 2026年10月9日")
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _CellError(f"日期“{text}”不存在")


def _split_name_phone(text):
    phones = PHONE.findall(text)
    name = PHONE.sub(" ", text).strip(SEPARATORS)
    name = re.sub(r"[\s,，;；/、]+", " ", name).strip()
    name = re.sub(r"(电话|手机|联系电话|tel)[:：]?$", "", name, flags=re.I).strip(SEPARATORS)
    return name, (phones[0] if phones else "")


def _unit_lines(value):
    """A 受理日期 / 办结日期 cell → [(unit name or "", date)]."""
    if value in (None, ""):
        return []
    if not isinstance(value, str):
        return [("", parse_date(value))]
    lines = []
    for raw in re.split(r"[\r\n;；]+", value):
        line = raw.strip()
        if not line:
            continue
        match = DATE.search(line)
        if not match:
            raise _CellError(f"“{line}”中没有可识别的日期")
        name = (line[: match.start()] + line[match.end() :]).strip(SEPARATORS)
        lines.append((name, parse_date(match[0])))
    return lines


def _pair_lines(accepted, completed):
    """Pair the two cells' lines by unit name when both are named, otherwise by position."""
    named = [all(name for name, _ in lines) for lines in (accepted, completed)]
    if any(name for name, _ in accepted + completed) and all(named):
        flows = {}
        for name, day in accepted:
            flows.setdefault(name, FlowLine(unit_name=name)).accepted_on = day
        for name, day in completed:
            flows.setdefault(name, FlowLine(unit_name=name)).completed_on = day
        return list(flows.values())
    count = max(len(accepted), len(completed))
    flows = []
    for i in range(count):
        a_name, a_day = accepted[i] if i < len(accepted) else ("", None)
        c_name, c_day = completed[i] if i < len(completed) else ("", None)
        flows.append(FlowLine(unit_name=a_name or c_name, accepted_on=a_day, completed_on=c_day))
    return flows


def _is_footnote(row, columns):
    values = [_text(v) for v in row]
    filled = [v for v in values if v]
    if not filled:
        return False
    if FOOTNOTE.match(filled[0]):
        return True
    serial = values[columns["serial"]] if "serial" in columns and columns["serial"] < len(values) else ""
    return len(filled) == 1 and filled[0] == serial and not serial.isdigit()


class _Reader:
    def __init__(self, unit, progress=None):
        self.unit = unit
        self.progress = progress
        self.errors = []
        self.warnings = []
        self.rows = []
        self.cap = RowCap("ledger")

    def read_workbook(self, file):
        try:
            workbook = open_workbook(file)
        except (DamagedWorkbook, TooManyRows) as error:
            raise LedgerImportError([RowError(0, "", str(error))])
        except ExcelFormatError as error:
            if str(error) == EXTERNAL_LINKS:
                raise LedgerImportError([RowError(0, "", str(error))])
            raise LedgerImportError([RowError(0, "", "不是有效的 Excel（.xlsx）工作簿，请上传 .xlsx 文件")])
        try:
            found = False
            for sheet in workbook.worksheets:
                found |= self.read_sheet(sheet.title, sheet_rows(sheet))
        except ExcelFormatError as error:
            raise LedgerImportError([RowError(0, "", str(error))])
        finally:
            workbook.close()
        if not found:
            self.errors.append(
                RowError(0, "", "未找到“帮办代办工作登记台账”的表头（序号、申请日期……受理日期、办结日期）")
            )

    def read_sheet(self, title, rows):
        header, rest = find_header(
            rows,
            HEADINGS,
            anchors=("serial", "accepted_on"),
            sub_keys=("unit_accepted", "unit_completed"),
            cap=self.cap,
        )
        if header is None:
            return False
        columns = header.columns
        missing = [LABELS[key] for key in REQUIRED if key not in columns]
        if missing:
            self.errors.append(RowError(header.row, "", f"表头缺少：{'、'.join(missing)}", title))
            return True
        for number, row in rest:
            if _is_footnote(row, columns):
                break
            if not any(_text(v) for v in row):
                continue
            self.cap.add()
            if self.progress is not None and self.cap.rows % PROGRESS_EVERY == 0:
                self.progress(self.cap.rows)
            self.read_row(title, number, row, columns)
        return True

    def read_row(self, sheet, number, row, columns):
        def cell(key):
            index = columns.get(key)
            return row[index] if index is not None and index < len(row) else None

        errors_before = len(self.errors)

        def attempt(key, parse):
            try:
                return parse(cell(key))
            except _CellError as exc:
                self.errors.append(RowError(number, LABELS[key], str(exc), sheet))
                return None

        accepted_on = attempt("accepted_on", parse_date)
        if accepted_on is None and len(self.errors) == errors_before:
            self.errors.append(RowError(number, LABELS["accepted_on"], "不能为空", sheet))
        name, phone = _split_name_phone(_text(cell("applicant")))
        if not name:
            self.errors.append(RowError(number, LABELS["applicant"], "缺少申请人姓名", sheet))
        matter = _text(cell("matter"))
        if not matter:
            self.errors.append(RowError(number, LABELS["matter"], "不能为空", sheet))
        accepted = attempt("unit_accepted", _unit_lines) or []
        completed = attempt("unit_completed", _unit_lines) or []
        delivered_on = attempt("delivered_on", parse_date)
        level = attempt("level", self.parse_level)
        if len(self.errors) > errors_before:
            return
        record = HistoricalRow(
            sheet_row=number,
            serial=_text(cell("serial")),
            accepted_on=accepted_on,
            applicant_name=name[:120],
            phone=phone[:20],
            matter_name=matter[:200],
            receiver_name=_text(cell("receiver"))[:50],
            flows=_pair_lines(accepted, completed),
            delivered_on=delivered_on,
            level=level or "",
            note=_text(cell("note")),
            sheet=sheet,
        )
        self.check_row(record)

    @staticmethod
    def parse_level(value):
        text = re.sub(r"\s+", "", _text(value))
        if not text:
            return ""
        if text not in LEVELS:
            raise _CellError(f"“{text}”不是评价等级之一（非常满意、满意、基本满意、不满意、非常不满意）")
        return LEVELS[text]

    def check_row(self, record):
        def error(column, message):
            self.errors.append(RowError(record.sheet_row, column, message, record.sheet))

        today = timezone.localdate()
        for line in record.flows:
            who = f"“{line.unit_name}”" if line.unit_name else ""
            if line.completed_on and line.accepted_on and line.completed_on < line.accepted_on:
                error(LABELS["unit_completed"], f"{who}办结日期早于受理日期")
            if line.completed_on and not line.accepted_on:
                error(LABELS["unit_accepted"], f"{who}有办结日期但没有受理日期")
        dates = [record.accepted_on, record.delivered_on] + [
            d for f in record.flows for d in (f.accepted_on, f.completed_on)
        ]
        if any(d and d > today for d in dates):
            error("", "日期晚于今天")
        if record.level and not record.is_completed:
            error(LABELS["level"], "办件尚未办结，不能有评价")
        if record.delivered_on and record.flows and not record.is_completed:
            error(LABELS["delivered_on"], "还有单位未办结，不能有窗口反馈时间")
        self.rows.append(record)

    def link(self):
        """Attach units and matters found by name; one query each."""
        names = {line.unit_name for row in self.rows for line in row.flows if line.unit_name}
        units = _best_by_name(Unit.objects.filter(name__in=names).select_related("region"), self.unit, "region")
        unknown = set()
        for row in self.rows:
            for line in row.flows:
                line.unit = units.get(line.unit_name)
                if line.unit_name and line.unit is None:
                    unknown.add(line.unit_name)
        if unknown:
            self.warnings.append(f"以下单位未在系统中找到，仅保留其日期：{'、'.join(sorted(unknown))}")
        titles = {row.matter_name for row in self.rows}
        matters = _best_by_name(
            MatterPage.objects.live().filter(title__in=titles).select_related("unit__region"), self.unit, "unit.region"
        )
        for row in self.rows:
            row.matter = matters.get(row.matter_name)
            row.key = row.import_key(self.unit)
        unmatched = sum(1 for row in self.rows if row.matter is None)
        if unmatched:
            self.warnings.append(f"{unmatched}行的事项名称与事项清单不一致，将按原名称保存")


def _best_by_name(queryset, unit, region_attr):
    """name → object; with several of the same name, the one nearest to the unit's region."""

    def distance(obj):
        region = obj
        for part in region_attr.split("."):
            region = getattr(region, part)
        if region.pk == unit.region_id:
            return 0
        if unit.region.path.startswith(region.path) or region.path.startswith(unit.region.path):
            return 1
        return 2

    best = {}
    for obj in queryset:
        name = getattr(obj, "name", None) or obj.title
        if name not in best or distance(obj) < distance(best[name]):
            best[name] = obj
    return best


def window_centre(unit):
    centre = unit.window_centres.order_by("pk").first() or unit.centres.order_by("pk").first()
    if centre is None:
        raise LedgerImportError(
            [RowError(0, "", f"单位“{unit.name}”没有设置帮办代办窗口所在的服务中心，请先在单位或服务中心中设置")]
        )
    return centre


def preview_ledger(file, unit, progress=None):
    """Read and check everything, write nothing. Raises LedgerImportError with every problem found.

    `progress(rows_read, phase=…)`, when given, is called every PROGRESS_EVERY rows (a job's progress bar).
    """
    window_centre(unit)
    reader = _Reader(unit, progress=(lambda done: progress(done, phase="读取")) if progress else None)
    reader.read_workbook(file)
    if reader.errors:
        raise LedgerImportError(reader.errors)
    if not reader.rows:
        raise LedgerImportError([RowError(0, "", "台账中没有可导入的数据行")])
    reader.link()
    keys = [r.key for r in reader.rows]
    existing = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        existing.update(Case.objects.filter(import_key__in=chunk).values_list("import_key", flat=True))
    return LedgerPreview(rows=reader.rows, warnings=reader.warnings, existing_keys=existing)


def import_ledger(file, unit, user, source="", progress=None):
    """Import every new row, all or nothing. Returns the preview with the rows that were created.

    `progress(rows_done, total, phase=…)`, when given, is told how far reading and then writing got.
    """
    preview = preview_ledger(file, unit, progress=progress)
    centre = window_centre(unit)
    source = source or getattr(file, "name", "") or "历史台账"
    new_rows = preview.new_rows
    with transaction.atomic():
        for done, row in enumerate(new_rows, start=1):
            import_historical_case(row, unit=unit, centre=centre, user=user, source=str(source))
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(new_rows)):
                progress(done, len(new_rows), phase="写入")
    return preview
