from django import template

from .. import deadlines

register = template.Library()


@register.simple_tag
def case_flows(case):
    """A case's unit flows with their unit and assignee, in one query."""
    return list(case.flows.select_related("unit", "assignee"))


@register.simple_tag
def deadline_label(due_date):
    """临期, 逾期 or an empty string."""
    return deadlines.label(deadlines.deadline_state(due_date))
