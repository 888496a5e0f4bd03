"""Export the case ledger in the exact layout of 附件4 帮办代办工作登记台账.

Layout (declared in LAYOUT, written by layout.FormSheet): the title, a sub-title with the filter of
the export, two header rows with 相关单位流转情况 merged over 受理日期 and 办结日期, one data line
per case with one line per unit inside the two unit cells, and the two 说明 of the form.

申请日期 is the day the request was made (Case.submitted_at, Beijing date); the units' 受理日期
and 办结日期 come from their flows.

Streaming: the sheet is written in write_only mode, rows go out as they are produced, and the
merges are registered as ranges: memory stays bounded for any number of cases. Cases are read as
values, in chunks, with their flows and import records fetched per chunk (ledger_records): no model
instances, so the export costs little more than writing its rows (benchmarks/test_bench_export.py).
"""

import datetime
from typing import NamedTuple

from django.utils import timezone

from ..models import Case, CaseEvent, CaseStatus, Delivery, Satisfaction, UnitFlow
from ..services.imports import IMPORT_ACTION
from .common import beijing
from .layout import Column, FormSheet, Layout, new_workbook

__all__ = ["LAYOUT", "LedgerCase", "ledger_cases", "ledger_records", "ledger_row", "ledger_subtitle", "write_ledger"]

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
STATUS_LABELS = dict(CaseStatus.choices)
EVALUATION_LABELS = dict(Satisfaction.choices)
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
    return cases.order_by("accepted_at", "pk")


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
    it in full; see daiban.permissions.export_phone_for); the full number by default. It is handed a
    LedgerCase (contact_phone, centre_id and the other fields the ledger prints), not a model instance.
    """
    workbook = new_workbook()
    form = FormSheet(workbook, LAYOUT, subtitles=(subtitle or ledger_subtitle(),))
    serial = 0
    for chunk in ledger_records(cases):
        for case in chunk:
            serial += 1
            form.append(ledger_row(serial, case, contact_phone))
        if progress is not None:
            progress(serial)
    form.finish()
    workbook.save(target)


class LedgerCase(NamedTuple):
    """What the ledger prints of one case, read as plain values (no model instances: see ledger_records)."""

    pk: int
    submitted_at: datetime.datetime | None
    applicant_name: str
    contact_phone: str
    centre_id: int | None
    matter_text: str
    matter_title: str | None
    receiver_first_name: str | None
    receiver_last_name: str | None
    receiver_username: str | None
    delivered_at: datetime.datetime | None
    evaluation_level: str | None
    status: str
    delivery: str
    courier_company: str
    tracking_number: str
    imported_from: str
    flows: tuple = ()
    import_data: dict = {}

    @property
    def matter_name(self):
        return self.matter_text or self.matter_title or ""


_RECORD_FIELDS = (
    "pk",
    "submitted_at",
    "applicant_name",
    "contact_phone",
    "centre_id",
    "matter_text",
    "matter__title",
    "received_by__first_name",
    "received_by__last_name",
    "received_by__username",
    "delivered_at",
    "evaluation__level",
    "status",
    "delivery",
    "courier_company",
    "tracking_number",
    "imported_from",
)


def ledger_records(cases, chunk_size=CHUNK):
    """The cases of a ledger queryset as lists of LedgerCase, `chunk_size` at a time, in the queryset's order.

    Three queries per chunk (the cases with their matter, receiver and evaluation joined; their flows;
    their import records), whatever the number of flows. Values, not model instances: an export of
    100,000 cases builds no model objects and leaves no reference cycles behind for the garbage
    collector, so its memory stays flat and its time close to writing the rows themselves.
    """
    rows = cases.prefetch_related(None).values_list(*_RECORD_FIELDS)
    chunk = []
    for row in rows.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield _records(chunk)
            chunk = []
    if chunk:
        yield _records(chunk)


def _records(rows):
    pks = [row[0] for row in rows]
    flows = {}
    for case_id, unit_name, accepted_on, completed_on in (
        UnitFlow.objects.filter(case_id__in=pks)
        .order_by("case_id", "-is_lead", "pk")
        .values_list("case_id", "unit__name", "accepted_on", "completed_on")
    ):
        flows.setdefault(case_id, []).append((unit_name, accepted_on, completed_on))
    imports = {}
    for case_id, data in (
        CaseEvent.objects.filter(case_id__in=pks, action=IMPORT_ACTION)
        .order_by("created_at", "pk")
        .values_list("case_id", "data")
    ):
        imports.setdefault(case_id, data)
    return [LedgerCase(*row, tuple(flows.get(row[0], ())), imports.get(row[0]) or {}) for row in rows]


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
        EVALUATION_LABELS.get(case.evaluation_level, ""),
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


def _receiver(case):
    if case.receiver_username is not None:  # the same as User.get_full_name() or the username
        full_name = f"{case.receiver_first_name} {case.receiver_last_name}".strip()
        return full_name or case.receiver_username
    return case.import_data.get("receiver", "")


def _unit_lines(case):
    accepted, completed = [], []
    for unit_name, accepted_on, completed_on in case.flows:
        if accepted_on:
            accepted.append(f"{unit_name}：{accepted_on:%Y-%m-%d}")
        if completed_on:
            completed.append(f"{unit_name}：{completed_on:%Y-%m-%d}")
    for line in case.import_data.get("lines", []):
        if line.get("matched"):
            continue
        prefix = f"{line['unit']}：" if line.get("unit") else ""
        if line.get("accepted_on"):
            accepted.append(prefix + line["accepted_on"])
        if line.get("completed_on"):
            completed.append(prefix + line["completed_on"])
    return accepted, completed


def _remark(case):
    parts = []
    if case.status not in FINAL_STATUSES:
        parts.append(STATUS_LABELS.get(case.status, case.status))
    if case.delivery == Delivery.COURIER and case.tracking_number:
        parts.append(f"快递：{case.courier_company} {case.tracking_number}")
    if case.imported_from:
        parts.append("历史台账导入")
    return "；".join(parts)
