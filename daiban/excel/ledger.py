"""Export the case ledger in the exact layout of 附件4 帮办代办工作登记台账.

Layout: a title row, two header rows with 相关单位流转情况 merged over 受理日期 and
办结日期 (every other heading merged down over both rows), one data line per case with
one line per unit inside the two unit cells, and the two footnotes of the form.

Streaming: openpyxl's write-only worksheet has no merge_cells() method, but it does
keep a `merged_cells` range list (set up by Worksheet._setup) and writes it after the
rows. So the sheet is written in write_only mode, rows go out as they are produced,
and the merges are registered as ranges: memory stays bounded for any number of cases
while the layout keeps its merged cells. Cases are read with .iterator() in chunks,
with their flows, evaluation and import record prefetched per chunk.
"""

import datetime
from copy import copy

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.cell_range import CellRange

from ..models import Case, CaseEvent, CaseStatus, Delivery, UnitFlow
from ..services.imports import IMPORT_ACTION

__all__ = ["LEDGER_TITLE", "LEDGER_HEADINGS", "ledger_cases", "write_ledger", "neutralise"]

LEDGER_TITLE = "帮办代办工作登记台账"
LEDGER_HEADINGS = [
    "序号",
    "申请日期",
    "申请人\n姓名及电话",
    "帮办代办事项名称",
    "帮办代办窗口收件人姓名",
    "相关单位流转情况",
    None,
    "帮办代办窗口反馈时间",
    "评价\n情况",
    "备注",
]
SUB_HEADINGS = [None] * 5 + ["受理日期", "办结日期"] + [None] * 3
FOOTNOTES = [
    "说明：1.“相关单位流转情况”涉及多部门（单位）办理时，请分别填写其受理日期和办结日期。",
    "　　　2.评价情况分为：非常满意、满意、基本满意、不满意、非常不满意。",
]
WIDTHS = [6, 12, 18, 30, 14, 26, 26, 18, 10, 20]
COLUMNS = len(LEDGER_HEADINGS)
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FINAL_STATUSES = {CaseStatus.COMPLETED, CaseStatus.ARCHIVED}
CHUNK = 500

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def ledger_cases(queryset=None, *, unit=None, start=None, end=None):
    """Accepted cases for the ledger, oldest first; `start`/`end` are Beijing dates (inclusive)."""
    cases = (Case.objects.all() if queryset is None else queryset).filter(accepted_at__isnull=False)
    if unit is not None:
        cases = cases.filter(accepting_unit=unit)
    if start is not None:
        cases = cases.filter(accepted_at__gte=_midnight(start))
    if end is not None:
        cases = cases.filter(accepted_at__lt=_midnight(end + datetime.timedelta(days=1)))
    return (
        cases.select_related("received_by", "evaluation")
        .prefetch_related(
            Prefetch("flows", queryset=UnitFlow.objects.select_related("unit").order_by("-is_lead", "pk")),
            Prefetch("events", queryset=CaseEvent.objects.filter(action=IMPORT_ACTION), to_attr="import_events"),
        )
        .order_by("accepted_at", "pk")
    )


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def write_ledger(cases, target, *, contact_phone=None):
    """Write the ledger of `cases` (from ledger_cases) to a path or binary file object.

    `contact_phone(case)` gives the phone as this reader may see it (masked unless their role needs
    it in full); the full number by default.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(LEDGER_TITLE)
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_cell(sheet, LEDGER_TITLE, Font(bold=True, size=16), CENTRE, border=False)])
    sheet.append([_cell(sheet, text, Font(bold=True), CENTRE) for text in LEDGER_HEADINGS])
    sheet.append([_cell(sheet, text, Font(bold=True), CENTRE) for text in SUB_HEADINGS])
    _merge(sheet, "A1:J1")
    for column in "ABCDEHIJ":
        _merge(sheet, f"{column}2:{column}3")
    _merge(sheet, "F2:G2")
    row_number = 3
    for serial, case in enumerate(cases.iterator(chunk_size=CHUNK), start=1):
        sheet.append([_cell(sheet, value) for value in ledger_row(serial, case, contact_phone)])
        row_number += 1
    for note in FOOTNOTES:
        row_number += 1
        sheet.append([_cell(sheet, note, border=False)])
        _merge(sheet, f"A{row_number}:J{row_number}")
    sheet.print_title_rows = "1:3"
    workbook.save(target)


def _merge(sheet, ref):
    sheet.merged_cells.add(CellRange(ref))


def _cell(sheet, value, font=None, alignment=WRAP, border=True):
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if isinstance(value, datetime.datetime):
        number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        number_format = "yyyy-mm-dd"
    else:
        number_format = None
    cell._style = copy(_style_array(sheet, font, alignment, border, number_format))
    return cell


def _style_array(sheet, font, alignment, border, number_format):
    """Each combination of styles is registered with the workbook once, then copied.

    Setting font/alignment/border on every cell makes openpyxl hash and look up
    each style object again, which was most of the export's time.
    """
    cache = sheet.__dict__.setdefault("_daiban_styles", {})
    key = (font, id(alignment), border, number_format)
    if key not in cache:
        prototype = WriteOnlyCell(sheet)
        prototype.alignment = alignment
        if font is not None:
            prototype.font = font
        if border:
            prototype.border = BORDER
        if number_format:
            prototype.number_format = number_format
        cache[key] = prototype._style
    return cache[key]


def ledger_row(serial, case, contact_phone=None):
    accepted_lines, completed_lines = _unit_lines(case)
    phone = contact_phone(case) if contact_phone else case.contact_phone
    return [
        serial,
        _local_date(case.accepted_at),
        "\n".join(part for part in (case.applicant_name, phone) if part),
        case.matter_name,
        _receiver(case),
        "\n".join(accepted_lines),
        "\n".join(completed_lines),
        _local_moment(case.delivered_at),
        _evaluation(case),
        _remark(case),
    ]


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _local_moment(moment):
    """Beijing time as a naive datetime (Excel has no zones); a date when the time is unknown (imports)."""
    if moment is None:
        return None
    local = timezone.localtime(moment).replace(tzinfo=None)
    return local.date() if local.time() == datetime.time.min else local


def _import_data(case):
    events = getattr(case, "import_events", None) or []
    return events[0].data if events else {}


def _receiver(case):
    if case.received_by_id:
        return case.received_by.get_full_name() or case.received_by.get_username()
    return _import_data(case).get("receiver", "")


def _unit_lines(case):
    accepted, completed = [], []
    for flow in case.flows.all():
        if flow.accepted_on:
            accepted.append(f"{flow.unit.name}：{flow.accepted_on:%Y-%m-%d}")
        if flow.completed_on:
            completed.append(f"{flow.unit.name}：{flow.completed_on:%Y-%m-%d}")
    for line in _import_data(case).get("lines", []):
        if line.get("matched"):
            continue
        prefix = f"{line['unit']}：" if line.get("unit") else ""
        if line.get("accepted_on"):
            accepted.append(prefix + line["accepted_on"])
        if line.get("completed_on"):
            completed.append(prefix + line["completed_on"])
    return accepted, completed


def _evaluation(case):
    evaluation = getattr(case, "evaluation", None)
    return evaluation.get_level_display() if evaluation else ""


def _remark(case):
    parts = []
    if case.status not in FINAL_STATUSES:
        parts.append(case.get_status_display())
    if case.delivery == Delivery.COURIER and case.tracking_number:
        parts.append(f"快递：{case.courier_company} {case.tracking_number}")
    if case.imported_from:
        parts.append("历史台账导入")
    return "；".join(parts)
