"""Public information pages: the 帮办代办 service flow (附件3), and its steps as the applicant sees them.

The same plain words are used on /process/ and on the progress page, so that a person who reads the
flow chart recognises the step their own request has reached.
"""

from django.shortcuts import render

from ..models import CaseStatus, Route, SpecialGroup

# The steps of 附件3 as /progress/ shows them, in order: (key, label).
PROGRESS_STEPS = [
    ("submitted", "提出申请"),
    ("screening", "窗口甄别"),
    ("accepted", "窗口受理"),
    ("handling", "部门联动办理"),
    ("results", "反馈办理结果"),
    ("completed", "评价归档"),
]

STEP_OF_STATUS = {
    CaseStatus.SUBMITTED: "screening",
    CaseStatus.PENDING_SUPPLEMENT: "screening",
    CaseStatus.ACCEPTED: "accepted",
    CaseStatus.IN_PROGRESS: "handling",
    CaseStatus.RESULTS_RETURNED: "results",
    CaseStatus.COMPLETED: "completed",
    CaseStatus.ARCHIVED: "archived",
}

HANDLING_BY_ROUTE = {
    Route.SINGLE: "部门办理",
    Route.BUNDLE: "牵头部门办理，相关部门联办",
    Route.TASK_FORCE: "专班协调跟踪，相关部门联办",
}

# What is happening now, in the words of someone at the window.
NOW = {
    CaseStatus.SUBMITTED: "帮办代办窗口正在核对您的申请和材料（甄别），会尽快与您联系。",
    CaseStatus.PENDING_SUPPLEMENT: (
        "您的材料需要补正：请按一次性告知的内容，补齐或修改材料后交到帮办代办窗口，窗口会重新核对。"
    ),
    CaseStatus.REJECTED: "您申请的事项不在帮办代办服务范围内，未予受理。请按下方办理记录中告知的单位申请办理。",
    CaseStatus.ACCEPTED: "帮办代办窗口已受理您的申请，正在把材料转交办理部门。",
    CaseStatus.IN_PROGRESS: "相关部门正在办理，帮办代办窗口全程跟踪。",
    CaseStatus.RESULTS_RETURNED: "办理结果已返回帮办代办窗口，窗口会通知您到现场领取，或按您的选择邮寄给您。",
    CaseStatus.COMPLETED: "已办结。欢迎您对本次帮办代办服务进行评价。",
    CaseStatus.ARCHIVED: "已办结并归档。感谢您使用帮办代办服务。",
    CaseStatus.WITHDRAWN: "您已撤回申请，窗口已停止办理。如需办理，请重新申请。",
}

IN_PROGRESS_BY_ROUTE = {
    Route.SINGLE: "办理部门正在办理，帮办代办窗口全程跟踪。",
    Route.BUNDLE: "牵头部门正在办理并转办，相关部门联合办理，帮办代办窗口全程跟踪。",
    Route.TASK_FORCE: "已组建工作专班，由专人协调跟踪，相关部门联合办理。",
}


def progress_steps(case):
    """[(label, done, current)] of the 附件3 steps for the case, or [] when the flow has stopped."""
    current = STEP_OF_STATUS.get(case.status)
    if current is None:
        return []
    keys = [key for key, _label in PROGRESS_STEPS]
    reached = len(keys) if current == "archived" else keys.index(current)
    return [
        (_step_label(key, label, case), index < reached, index == reached)
        for index, (key, label) in enumerate(PROGRESS_STEPS)
    ]


def _step_label(key, label, case):
    if key == "handling" and case.route in HANDLING_BY_ROUTE:
        return HANDLING_BY_ROUTE[case.route]
    return label


def where_now(case):
    """One plain sentence on what is happening to the case now."""
    if case.status == CaseStatus.IN_PROGRESS and case.route in IN_PROGRESS_BY_ROUTE:
        return IN_PROGRESS_BY_ROUTE[case.route]
    return NOW.get(case.status, "")


def public_events(case):
    """The case's public history, each with `public_label`: the recorded label in plain words."""
    events = list(case.events.filter(is_public=True).order_by("created_at", "pk"))
    for event in events:
        event.public_label = _plain_label(event)
    return events


def _plain_label(event):
    if event.action == "route" and (event.data or {}).get("route") in HANDLING_BY_ROUTE:
        units = event.label.partition("：")[2]
        how = HANDLING_BY_ROUTE[event.data["route"]]
        return f"已转交部门办理（{how}）：{units}" if units else f"已转交部门办理（{how}）"
    if event.action == "accept" and (event.data or {}).get("deferred"):
        return "已受理（先行受理，部分材料可稍后补交）"
    return event.label


def process(request):
    """帮办代办服务流程: the flow chart of 附件3 with what 帮办, 代办 and the 绿色通道 mean."""
    context = {"special_groups": "、".join(SpecialGroup.labels), "routes": HANDLING_BY_ROUTE}
    return render(request, "daiban/public/process.html", context)
