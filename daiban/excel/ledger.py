"""Export the case ledger in the exact layout of 附件4 帮办代办工作登记台账.

Layout (declared in LAYOUT, written by layout.FormSheet): the title, a sub-title with the filter of
the export, two header rows with 相关单位流转情况 merged over 受理日期 and 办结日期, one data line
per case with one line per unit inside the two unit cells, and the two 说明 of the form.

申请日期 is the day the request was made (Case.submitted_at, Beijing date); the units' 受理日期
and 办结日期 come from their flows.

Streaming: the sheet is written in write_only mode, rows go out as they are produced, and the
merges are registered as ranges: memory stays bounded for any number of cases. Cases are read
with .iterator() in chunks, with their flows, evaluation and import record prefetched per chunk.
"""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from ..models import Case, CaseEvent, CaseStatus, Delivery, UnitFlow
from ..services.imports import IMPORT_ACTION
from .common import beijing
from .layout import Column, FormSheet, Layout, new_workbook

__all__ = ["LAYOUT", "ledger_cases", "ledger_row", "ledger_subtitle", "write_ledger"]

GROUP = "相关单位流转情况"
LAYOUT = Layout(
    title="帮办代办工作登记台账",
    columns=(
        Column("序号", 5, "center"),
        Column("申请日期", 11, "center"),
        Column("申请人\n姓名及电话", 15),
        Column("帮办代办事项名称", 24),
        Column("帮办代办窗口收件人姓名", 12, "center"),
        Column("受理日期", 25, group=GROUP),
        Column("办结日期", 25, group=GROUP),
        Column("帮办代办窗口反馈时间", 16, "center"),
        Column("评价\n情况", 8, "center"),
        Column("备注", 18),
    ),
    footnotes=(
        "说明：1.“相关单位流程情况”涉及多部门（单位）办理时，请分别填写其受理日期和办结日期。",
        "　　　2.评价情况分为：非常满意、满意、基本满意、不满意、非常不满意。",
    ),
    landscape=True,
)
FINAL_STATUSES = {CaseStatus.COMPLETED, CaseStatus.ARCHIVED}
CHUNK = 500


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


def ledger_subtitle(unit=None, start=None, end=None):
    """The filter of an export, for the sub-title row: 受理单位, 受理日期 range, export time."""
    parts = [f"受理单位：{unit.name if unit else '全部'}"]
    if start or end:
        parts.append(f"受理日期：{start or '…'} 至 {end or '…'}")
    parts.append(f"导出时间：{beijing(timezone.now())}（北京时间）")
    return "　　".join(parts)


def write_ledger(cases, target, subtitle=None, *, contact_phone=None, progress=None):
    """Write the ledger of `cases` (from ledger_cases) to a path or binary file object.

    `contact_phone(case)` gives the phone as this reader may see it (masked unless their role needs
    it in full; see daiban.permissions.export_phone_for); the full number by default.
    """
    workbook = new_workbook()
    form = FormSheet(workbook, LAYOUT, subtitles=(subtitle or ledger_subtitle(),))
    for serial, case in enumerate(cases.iterator(chunk_size=CHUNK), start=1):
        form.append(ledger_row(serial, case, contact_phone))
        if progress is not None and serial % CHUNK == 0:
            progress(serial)
    form.finish()
    workbook.save(target)


def ledger_row(serial, case, contact_phone=None):
    accepted_lines, completed_lines = _unit_lines(case)
    phone = contact_phone(case) if contact_phone else case.contact_phone
    return [
        serial,
        _local_date(case.submitted_at),
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
