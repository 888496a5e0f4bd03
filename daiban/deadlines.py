"""超时预警: 临期 (due within two working days) and 逾期 (past the due date), scoped to a person.

Open cases are those accepted or being handled; open flows those not yet completed
or cancelled. Every function returns a queryset so listings can filter further.
"""

from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from .models import OPEN_FLOW_STATUSES, Case, CaseStatus, FlowStatus, UnitFlow
from .permissions import cases_visible_to
from .roles import UNIT_STAFF, WINDOW_STAFF, Scope, has_role
from .workdays import add_working_days

__all__ = [
    "WARNING_WORKING_DAYS",
    "DUE_SOON",
    "OVERDUE",
    "due_soon_limit",
    "open_cases",
    "open_flows",
    "cases_due_soon",
    "cases_overdue",
    "flows_due_soon",
    "flows_overdue",
    "filter_cases",
    "flows_for",
    "warning_cases_for",
    "warning_flows_for",
    "deadline_state",
    "matter_committed_date",
    "case_committed_date",
    "public_deadline",
    "PublicDeadline",
]

WARNING_WORKING_DAYS = 2
DUE_SOON = "due_soon"
OVERDUE = "overdue"
LABELS = {DUE_SOON: "临期", OVERDUE: "逾期"}

# The one definition of an open case for deadlines (dashboard, reminders, ledger filter): once the
# results are back at the window (结果已返回窗口) the units have finished, so the case is no longer late.
OPEN_CASE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS)


def _today(today):
    return today or timezone.localdate()


def due_soon_limit(today=None):
    """The last due date that is still 临期 today."""
    return add_working_days(_today(today), WARNING_WORKING_DAYS)


def open_cases(queryset=None):
    queryset = Case.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN_CASE_STATUSES, due_date__isnull=False)


def open_flows(queryset=None):
    queryset = UnitFlow.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=OPEN_FLOW_STATUSES, case__status=CaseStatus.IN_PROGRESS, due_date__isnull=False)


def cases_due_soon(queryset=None, today=None):
    today = _today(today)
    return open_cases(queryset).filter(due_date__gte=today, due_date__lte=due_soon_limit(today))


def cases_overdue(queryset=None, today=None):
    return open_cases(queryset).filter(due_date__lt=_today(today))


def flows_due_soon(queryset=None, today=None):
    today = _today(today)
    return open_flows(queryset).filter(due_date__gte=today, due_date__lte=due_soon_limit(today))


def flows_overdue(queryset=None, today=None):
    return open_flows(queryset).filter(due_date__lt=_today(today))


def filter_cases(queryset, state, today=None):
    """For a ledger filter: state is DUE_SOON or OVERDUE; anything else leaves the queryset alone."""
    if state == DUE_SOON:
        return cases_due_soon(queryset, today)
    if state == OVERDUE:
        return cases_overdue(queryset, today)
    return queryset


def deadline_state(due_date, today=None, limit=None):
    """DUE_SOON, OVERDUE or "" for one due date (pass `limit` from due_soon_limit() in loops)."""
    if due_date is None:
        return ""
    today = _today(today)
    if due_date < today:
        return OVERDUE
    if due_date <= (limit or due_soon_limit(today)):
        return DUE_SOON
    return ""


def flows_for(user):
    """The flows a person works on: their unit's, those their unit leads, and their 专班's."""
    scope = Scope.for_user(user)
    if scope.sees_all:
        return UnitFlow.objects.all()
    q = Q(case__coordinator=user)
    if has_role(user, UNIT_STAFF) and scope.unit is not None:
        q |= Q(unit=scope.unit) | Q(case__lead_unit=scope.unit)
    return UnitFlow.objects.filter(q)


def warning_flows_for(user):
    """Flows on a person's dashboard: unit staff and 专班 coordinators."""
    return open_flows(flows_for(user))


def warning_cases_for(user):
    """Cases on a person's dashboard: window staff and supervisors see whole cases."""
    scope = Scope.for_user(user)
    if not (scope.is_supervisor or has_role(user, WINDOW_STAFF)):
        return Case.objects.none()
    return open_cases(cases_visible_to(user))


def label(state):
    return LABELS.get(state, "")


# One deadline story (docs/domain.md, "One deadline story") ----------------------------------------


def matter_committed_date(case, accepted_on=None):
    """The matter's committed date: 受理 day plus the matter's promised working days (None off the list)."""
    if case.matter_id is None:
        return None
    if accepted_on is None:
        if case.accepted_at is None:
            return None
        accepted_on = timezone.localtime(case.accepted_at).date()
    return add_working_days(accepted_on, case.matter.promised_days)


def case_committed_date(case):
    """The case's committed date (Case.due_date): the latest due date of its flows that are not cancelled;
    the matter's committed date when it has none. Kept on Case.due_date by the services, so every page,
    print, export, warning and reminder reads the same date."""
    flow_dates = [
        due
        for due in case.flows.exclude(status=FlowStatus.CANCELLED).values_list("due_date", flat=True)
        if due is not None
    ]
    if flow_dates:
        return max(flow_dates)
    return matter_committed_date(case) or case.due_date


class PublicDeadline(NamedTuple):
    """What the applicant is told about the committed date: the date, whether it has passed, and why."""

    date: object  # datetime.date or None
    passed: bool
    reason: str  # Chinese, empty when there is nothing to explain


def public_deadline(case, today=None):
    """For /progress/: the committed date, whether it has passed, and a Chinese explanation."""
    today = _today(today)
    due = case.due_date
    if case.status == CaseStatus.PENDING_SUPPLEMENT:
        return PublicDeadline(due, False, "等待您补正材料，办理期限自补正后重新计算。")
    if due is None:
        return PublicDeadline(None, False, "")
    if case.status in (CaseStatus.REJECTED, CaseStatus.WITHDRAWN):
        return PublicDeadline(due, False, "")
    if case.completed_at is not None:
        done = timezone.localtime(case.completed_at).date()
        if done > due:
            return PublicDeadline(due, True, f"已于{done:%Y年%m月%d日}办结，晚于承诺日期。")
        return PublicDeadline(due, False, f"已于{done:%Y年%m月%d日}办结。")
    if case.status == CaseStatus.IN_PROGRESS and case.flows.filter(status=FlowStatus.NEEDS_MATERIALS).exists():
        return PublicDeadline(due, due < today, "部门正在等待补充材料，窗口将一次性告知您需要补充的内容。")
    if case.status == CaseStatus.RESULTS_RETURNED:
        return PublicDeadline(due, False, "各部门已办结，结果已到帮办代办窗口，请按通知领取。")
    if due < today:
        return PublicDeadline(due, True, "已超过承诺办结日期（已超期），帮办代办窗口正在督促相关部门办理。")
    return PublicDeadline(due, False, "")
