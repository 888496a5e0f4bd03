"""Dashboard panels: 超时预警 scoped to the person, and the work calendar warning."""

from wagtail.admin.ui.components import Component

from .. import deadlines
from ..permissions import can_maintain_calendar
from ..workdays import fallback_warning

LIMIT = 10
# Counting stops here: the panel's cost stays bounded however many late cases years of history hold.
COUNT_CAP = 999


class AtLeast(int):
    """A count that stopped at COUNT_CAP: compares as the number, reads "999+"."""

    def __str__(self):
        return f"{int(self)}+"


def bounded_count(queryset):
    """At most COUNT_CAP + 1 rows are counted: the cost stays bounded whatever the history holds.

    Sliced, the count keeps the queryset's order, so an ordered index is walked and left early."""
    found = queryset[: COUNT_CAP + 1].count()
    return AtLeast(COUNT_CAP) if found > COUNT_CAP else found


def _listing(queryset, related):
    queryset = queryset.select_related(*related).order_by("due_date", "pk")
    return {"count": bounded_count(queryset), "items": list(queryset[:LIMIT])}


class DeadlineWarningsPanel(Component):
    name = "deadline_warnings"
    template_name = "daiban/admin/handling/dashboard_deadlines.html"
    order = 50

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        flows = deadlines.warning_flows_for(user)
        cases = deadlines.warning_cases_for(user)
        flow_related = ("case__matter", "unit", "assignee")
        sections = [
            ("逾期单位流转", "flow", _listing(deadlines.flows_overdue(flows), flow_related)),
            ("临期单位流转", "flow", _listing(deadlines.flows_due_soon(flows), flow_related)),
            ("逾期办件", "case", _listing(deadlines.cases_overdue(cases), ("matter",))),
            ("临期办件", "case", _listing(deadlines.cases_due_soon(cases), ("matter",))),
        ]
        return {"sections": [section for section in sections if section[2]["count"]]}


class CalendarWarningPanel(Component):
    name = "work_calendar_warning"
    template_name = "daiban/admin/handling/dashboard_calendar.html"
    order = 40

    def get_context_data(self, parent_context):
        # Only those who may maintain the calendar are warned (the link leads to a page only they may open).
        if not can_maintain_calendar(parent_context["request"].user):
            return {"warning": ""}
        return {"warning": fallback_warning()}
