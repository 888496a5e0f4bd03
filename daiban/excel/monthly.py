"""Export the 帮办代办服务事项办件统计表 (附件8) in its layout.

One line per reporting unit plus the roll-up lines of the region tree (bold, 备注 合计), so it is
small (bounded by the number of units, not cases). 满意度 is written as the statistics page shows
it (statistics.format_rate: "66.67%", "—" without a completed case).

The policy's 说明3 ends with the city window's contact person, phone and mail address: those are
taken from the registry (the designated 联络员 of the city's 政务服务中心 window), not from the
policy's text, so the form names whoever holds the post now.
"""

from dataclasses import replace

from django.utils import timezone

from ..models import CentreLevel, Liaison
from .common import beijing
from .layout import Column, FormSheet, Layout, new_workbook

__all__ = ["LAYOUT", "write_monthly", "city_window_contact"]

GROUP = "帮办代办服务事项情况"
DUTY = (
    "3.请县（市、区）行政审批局，内江经开区、高新区行政审批服务局，各进驻市本级部门（单位）"
    "于每月25日反馈至市政务服务局帮办代办窗口"
)
LAYOUT = Layout(
    title="帮办代办服务事项办件统计表",
    columns=(
        Column("序号", 6, "center"),
        Column("单位名称", 34),
        Column("受理数量", 10, "center", group=GROUP),
        Column("在办数量", 10, "center", group=GROUP),
        Column("办结数量", 10, "center", group=GROUP),
        Column("满意度", 10, "center", group=GROUP),
        Column("备注", 14),
    ),
    footnotes=(
        "说明：1.受理数量=在办数量+办结数量。",
        "　　　2.满意度=“非常满意”“满意”“基本满意”评价件数之和/总办结数*100%。",
        "　　　" + DUTY + "。",
    ),
    landscape=False,
)


def city_window_contact():
    """The designated 联络员 of the city centre's window, or None."""
    return (
        Liaison.objects.filter(
            centre__level=CentreLevel.GOV_CENTRE, centre__region__depth=1, is_designated=True, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _footnotes(contact):
    if contact is None:
        return LAYOUT.footnotes
    duty = f"　　　{DUTY}，联系人，{contact.name}，联系电话，{contact.phone}。"
    return (*LAYOUT.footnotes[:2], duty)


def write_monthly(rows, target, *, period, scope_name, contact=None):
    """`rows`: StatRows from daiban.statistics.statistics_table, in tree order."""
    workbook = new_workbook()
    subtitle = f"填报范围：{scope_name}　　统计期间：{period.label}　　导出时间：{beijing(timezone.now())}（北京时间）"
    layout = replace(LAYOUT, footnotes=_footnotes(contact or city_window_contact()))
    form = FormSheet(workbook, layout, subtitles=(subtitle,))
    serial = 0
    for row in rows:
        if not row.is_region:
            serial += 1
        figures = row.figures
        form.append(
            [
                None if row.is_region else serial,
                "　" * row.depth + row.name,
                figures.accepted,
                figures.in_progress,
                figures.completed,
                figures.satisfaction_label,
                "合计" if row.is_region else "",
            ],
            bold=row.is_region,
        )
    form.finish()
    workbook.save(target)
