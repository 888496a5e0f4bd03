"""Tags of the printable forms (附件5, 6, 7): {% load print_tags %}."""

from django import template

from daiban.models import FlowStatus
from daiban.permissions import can_handle_at_window

register = template.Library()


@register.simple_tag(takes_context=True)
def window_copy(context, case):
    """True when the person printing acts as the case's window: its copies carry the applicant's full phone."""
    request = context.get("request")
    return request is not None and can_handle_at_window(request.user, case)


@register.simple_tag
def involved_units(case):
    """附件5 涉及部门: the units the case was routed to; before routing, those named on the request."""
    names = []
    for flow in case.flows.exclude(status=FlowStatus.CANCELLED).select_related("unit").order_by("pk"):
        if flow.unit.name not in names:
            names.append(flow.unit.name)
    if case.lead_unit_id:  # the lead unit (牵头单位) first
        lead = case.lead_unit.name
        names = [lead] + [name for name in names if name != lead]
    if not names:
        names = [unit.name for unit in case.units.all()]
    return "、".join(names) or case.units_text
