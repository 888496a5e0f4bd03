"""超时预警: 临期 (due within two working days) and 逾期 (past the due date), scoped to a person.

Open cases are those accepted or being handled; open flows those not yet completed
or cancelled. Every function returns a queryset so listings can filter further.
"""

from django.db.models import Q
from django.utils import timezone

from .models import OPEN_FLOW_STATUSES, Case, CaseStatus, UnitFlow
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
