"""我的待办: what a person has to do next, section by section, read on the server within their scope.

What a person is decides their sections (docs/domain.md, "我的待办"):

- window staff of a centre (帮办代办窗口人员): requests to screen (待甄别; an online one nobody on the staff
  has touched yet is 新), corrections received (补正后待甄别), 容缺 materials due within two working days or
  overdue, results back at the window to hand over, completed cases to evaluate (回访), open 差评整改;
- a unit's 帮办代办员: flows to accept, flows to complete, handovers (附件6) addressed to the unit to confirm;
- a county bureau (县级审批局): overdue cases and flows of its region, open 提级督办 there; the city's
  审批指导科 (and superusers) the same for the whole city.

Inside a section: 绿色通道 first, then the earliest deadline, then the oldest. Every section is one
queryset, filtered on indexed columns, never evaluated here: the views count it (bounded) and slice it.
"""

from dataclasses import dataclass

from django.db.models import Case as Choose
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When

from .deadlines import cases_overdue, due_soon_limit, flows_overdue
from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    DeferredMaterial,
    FlowStatus,
    FollowUp,
    FollowUpStatus,
    Handover,
    HandoverParty,
    OneTimeNotice,
    SupervisionNote,
    UnitFlow,
)
from .roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF, Scope, has_role
from .workdays import WorkCalendar, _as_date

__all__ = [
    "Section",
    "CALLBACK_WORKING_DAYS",
    "OPEN_FOLLOW_UP_STATUSES",
    "has_queue",
    "sections_for",
    "section_for",
    "callback_due",
]

# After 办结 the applicant has this many working days to evaluate online (好差评); then the window calls back.
CALLBACK_WORKING_DAYS = 2
OPEN_FOLLOW_UP_STATUSES = (FollowUpStatus.OPEN, FollowUpStatus.RECTIFYING, FollowUpStatus.CALLED_BACK)
# 容缺 materials are still asked for while the case can receive them (transitions.CASE["receive_deferred"]).
DEFERRED_CASE_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.PENDING_SUPPLEMENT,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RESULTS_RETURNED,
    CaseStatus.COMPLETED,
)
# 提级督办 stays on a person's list while the case is still being worked on.
SUPERVISED_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.RESULTS_RETURNED)


@dataclass(frozen=True)
class Section:
    """One list of a person's work. `kind` says what the rows are: case, flow, deferred, handover, follow_up."""

    key: str
    title: str
    kind: str
    help: str
    queryset: object


def green_first(prefix=""):
    """0 for a 绿色通道 case, 1 otherwise: sorts the green channel first."""
    return Choose(When(**{f"{prefix}special_group": ""}, then=Value(1)), default=Value(0), output_field=IntegerField())


def _ordered(queryset, prefix, *then):
    return queryset.order_by(green_first(prefix), *then, "pk")


def _deadline(field):
    return F(field).asc(nulls_last=True)


def has_queue(user):
    """Whether the person has a work queue at all (the menu item and the dashboard panel)."""
    scope = Scope.for_user(user)
    return (
        scope.sees_all
        or (has_role(user, WINDOW_STAFF) and scope.centre is not None)
        or (has_role(user, UNIT_STAFF) and scope.unit is not None)
        or (has_role(user, COUNTY_BUREAU) and scope.region is not None)
    )


def sections_for(user, today=None):
    """The person's sections, in the order they are shown. Querysets only: nothing is read here."""
    scope = Scope.for_user(user)
    sections = []
    if has_role(user, WINDOW_STAFF) and scope.centre is not None:
        sections += window_sections(scope.centre, today)
    if has_role(user, UNIT_STAFF) and scope.unit is not None:
        sections += unit_sections(scope.unit)
    if scope.sees_all or (has_role(user, COUNTY_BUREAU) and scope.region is not None):
        sections += supervisor_sections(scope, today)
    return sections


def section_for(user, key, today=None):
    """The person's section named `key`, or None (a key of another role's section is not theirs)."""
    return next((section for section in sections_for(user, today) if section.key == key), None)


# The window of a centre ---------------------------------------------------------------------------


def window_sections(centre, today=None):
    cases = Case.objects.filter(centre=centre).select_related("matter")
    submitted = cases.filter(status=CaseStatus.SUBMITTED)
    corrected = OneTimeNotice.objects.filter(case=OuterRef("pk"), supplemented_at__isnull=False)
    staff_acted = CaseEvent.objects.filter(case=OuterRef("pk"), actor__isnull=False)
    screening = submitted.filter(~Exists(corrected)).annotate(
        is_new=Choose(
            When(Q(channel=Channel.ONLINE) & ~Exists(staff_acted), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    corrections = submitted.filter(Exists(corrected)).annotate(
        corrected_at=Subquery(corrected.order_by("-supplemented_at").values("supplemented_at")[:1]),
        online=Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="supplement_online")),
    )
    deferred = (
        DeferredMaterial.objects.outstanding()
        .filter(case__centre=centre, case__status__in=DEFERRED_CASE_STATUSES, due_date__lte=due_soon_limit(today))
        .select_related("case__matter")
    )
    follow_ups = FollowUp.objects.filter(
        status__in=OPEN_FOLLOW_UP_STATUSES, evaluation__case__centre=centre
    ).select_related("evaluation__case__matter")
    return [
        Section(
            "screening",
            "待甄别",
            "case",
            "新收到的申请，请甄别：受理、一次性告知或不予受理。“新”：网上申请，窗口尚未处理过。",
            _ordered(screening, "", "submitted_at"),
        ),
        Section(
            "corrections",
            "补正已收到",
            "case",
            "申请人已补正材料（网上或到窗口），办件回到待甄别，请重新甄别。",
            _ordered(corrections, "", "corrected_at", "submitted_at"),
        ),
        Section(
            "deferred",
            "容缺材料临期或逾期",
            "deferred",
            "两个工作日内到期或已过补交期限、尚未补交也未免交的容缺材料。",
            _ordered(deferred, "case__", "due_date", "case__submitted_at"),
        ),
        Section(
            "results",
            "结果已返回窗口",
            "case",
            "各单位已办结，请通知申请人并登记领取或快递邮寄。",
            _ordered(
                cases.filter(status=CaseStatus.RESULTS_RETURNED), "", _deadline("due_date"), "results_returned_at"
            ),
        ),
        Section(
            "evaluations",
            "待评价回访",
            "evaluation",
            f"已办结、尚无评价的办件；办结后{CALLBACK_WORKING_DAYS}个工作日内申请人未在网上评价的，请电话回访或现场评价。",
            _ordered(cases.filter(status=CaseStatus.COMPLETED, evaluation__isnull=True), "", "completed_at"),
        ),
        Section(
            "follow_ups",
            "差评整改",
            "follow_up",
            "本中心办件未关闭的差评整改（关闭后办件才能归档）。",
            _ordered(follow_ups, "evaluation__case__", _deadline("rectify_by"), "evaluation__evaluated_at"),
        ),
    ]


# A unit's 帮办代办员 -----------------------------------------------------------------------------------


def unit_sections(unit):
    flows = UnitFlow.objects.filter(unit=unit, case__status=CaseStatus.IN_PROGRESS).select_related(
        "case__matter", "unit", "assignee"
    )
    handovers = (
        Handover.objects.filter(to_party=HandoverParty.UNIT, to_unit=unit, received_at__isnull=True)
        .exclude(case__status=CaseStatus.ARCHIVED)
        .select_related("case__matter", "from_unit")
    )
    return [
        Section(
            "flows_to_accept",
            "待接收",
            "flow",
            "转办到本单位、尚未接收的单位流转。",
            _ordered(flows.filter(status=FlowStatus.ASSIGNED), "case__", _deadline("due_date"), "assigned_at"),
        ),
        Section(
            "flows_to_complete",
            "待办结",
            "flow",
            "本单位办理中或需补充材料的单位流转（含窗口退回补充的）。",
            _ordered(
                flows.filter(status__in=(FlowStatus.ACCEPTED, FlowStatus.NEEDS_MATERIALS)),
                "case__",
                _deadline("due_date"),
                "assigned_at",
            ),
        ),
        Section(
            "handovers",
            "待确认交接",
            "handover",
            "移交给本单位、尚未确认接收的材料（附件6）。",
            _ordered(handovers, "case__", _deadline("case__due_date"), "handed_over_at"),
        ),
    ]


# A county bureau, or the city's 审批指导科 for the whole city ------------------------------------------


def supervisor_sections(scope, today=None):
    cases = Case.objects.filter(scope.region_q()).select_related("matter", "centre")
    flows = UnitFlow.objects.filter(scope.region_q("case__region")).select_related("case__matter", "unit", "assignee")
    escalated = SupervisionNote.objects.filter(case=OuterRef("pk"), escalated=True)
    supervised = cases.filter(Exists(escalated), status__in=SUPERVISED_CASE_STATUSES).annotate(
        escalated_at=Subquery(escalated.order_by("-created_at").values("created_at")[:1])
    )
    where = "全市" if scope.sees_all else "本辖区"
    return [
        Section(
            "overdue_cases",
            "逾期办件",
            "case",
            f"{where}已超过承诺办结日期、仍在办理的办件。",
            _ordered(cases_overdue(cases, today), "", "due_date", "submitted_at"),
        ),
        Section(
            "overdue_flows",
            "逾期单位流转",
            "flow",
            f"{where}已超过承诺办结日期、仍未办结的单位流转。",
            _ordered(flows_overdue(flows, today), "case__", "due_date", "assigned_at"),
        ),
        Section(
            "supervision",
            "提级督办",
            "supervision",
            f"{where}已提级督办、仍在办理的办件。",
            _ordered(supervised, "", _deadline("due_date"), "submitted_at"),
        ),
    ]


def callback_due(completed_at, calendar=None):
    """The last day the applicant may still evaluate online before the window calls back."""
    calendar = calendar or WorkCalendar()
    return calendar.add_working_days(_as_date(completed_at), CALLBACK_WORKING_DAYS)
