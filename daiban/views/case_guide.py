"""What to do next on a case, for the person looking at it (the 下一步 box at the top of the case page)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from ..models import CaseStatus, FlowStatus
from ..permissions import can_handle_flow

S = CaseStatus

__all__ = ["NextStep", "next_step", "CLOSED_STATUSES"]

# Nothing more happens to these cases: nobody needs the applicant's full contact details any more.
CLOSED_STATUSES = (S.ARCHIVED, S.REJECTED, S.WITHDRAWN)


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str = ""
    label: str = ""


def next_step(user, case, *, at_window):
    """The next step for the case's window, or for a unit with an open flow on it; None for onlookers."""
    if at_window:
        return _window_step(case)
    return _unit_step(user, case)


def _window_step(case):
    status = case.status
    if status == S.SUBMITTED:
        return NextStep(
            "核对申请材料后甄别：符合条件的受理（可预审+容缺），材料不齐的一次性告知，不属于帮办代办范围的不予受理。"
        )
    if status == S.PENDING_SUPPLEMENT:
        return NextStep("已一次性告知，等待申请人补正。申请人补齐材料后，点击下方“登记补正”，办件回到待甄别。")
    if status == S.ACCEPTED:
        return NextStep(
            "已受理。请打印申请表一式两份，然后转办：按事项选择单部门、“一件事一次办”或专班，并指定办理单位。",
            reverse("handling:route", args=[case.pk]),
            "转办",
        )
    if status == S.IN_PROGRESS:
        return NextStep(
            "各单位办理中。代办件请将申请材料移交办理单位并登记材料交接（附件6）；单位要求补充材料时会通知窗口。",
            reverse("handling:case", args=[case.pk]),
            "联动办理与材料交接",
        )
    if status == S.RESULTS_RETURNED:
        return _results_step(case)
    if status == S.COMPLETED:
        return _completed_step(case)
    return None


def _results_step(case):
    url = reverse("results:case", args=[case.pk])
    if case.result_notified_at is None:
        return NextStep(
            "各单位已办结，结果已返回窗口。请核对结果材料（不齐的可退回单位补充），然后通知申请人领取。",
            url,
            "通知申请人与登记领取",
        )
    notified = timezone.localtime(case.result_notified_at)
    return NextStep(
        f"已于{notified:%Y-%m-%d %H:%M}通知申请人。申请人领取时核验身份后登记领取，或登记快递邮寄。",
        url,
        "登记领取或快递",
    )


def _completed_step(case):
    url = reverse("results:case", args=[case.pk])
    evaluation = getattr(case, "evaluation", None)
    if evaluation is None:
        return NextStep("已办结。申请人可网上评价；也可电话回访或现场评价后登记，然后归档。", url, "登记评价")
    follow_up = getattr(evaluation, "follow_up", None)
    if follow_up is not None and follow_up.status != "closed":
        return NextStep("评价为不满意，差评整改中：由督导人员核查、整改、回访并关闭后才能归档。", url, "查看差评整改")
    return NextStep("已办结并已评价，可以归档。归档后办件只读。", url, "归档")


UNIT_STEPS = {
    FlowStatus.ASSIGNED: "已转至您单位，请受理（承诺件须填写受理通知书编号），或要求窗口补充材料。",
    FlowStatus.ACCEPTED: "您单位正在办理，办结后请填写办理结果并办结。",
    FlowStatus.NEEDS_MATERIALS: "您单位已要求补充材料；收到窗口补交的材料后，点击“材料已补齐，继续办理”。",
}


def _unit_step(user, case):
    if case.status != S.IN_PROGRESS:
        return None
    flows = case.flows.filter(status__in=list(UNIT_STEPS)).select_related("unit")
    flow = next((f for f in flows if can_handle_flow(user, f)), None)
    if flow is None:
        return None
    text = f"{flow.unit.name}：{UNIT_STEPS[flow.status]}"
    return NextStep(text, reverse("handling:case", args=[case.pk]) + f"#flow-{flow.pk}", "去办理")
