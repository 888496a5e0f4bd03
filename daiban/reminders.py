"""Daily 超时预警 reminders: who is told about which 临期 and 逾期 flows and cases.

Each open flow due soon or overdue is reported to the person who handles it (the
assignee, or the B岗 standing in) and to the unit's designated 联络员. A case due
soon or overdue without any open flow (accepted but not routed) goes to the window.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from . import deadlines
from .models import Liaison
from .services.handling import current_handler
from .services.notify_staff import tell_liaison, window_liaisons


@dataclass
class Reminder:
    liaison: Liaison
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "帮办代办超时预警：" + "；".join(self.lines) + "。请及时办理。"


def _line(case, state, due_date, unit_name=""):
    where = f"{unit_name}" if unit_name else ""
    return f"{case.number}{where}{deadlines.label(state)}（{due_date:%m月%d日}到期）"


def collect(today=None):
    """{liaison pk: Reminder}, in a stable order."""
    today = today or timezone.localdate()
    limit = deadlines.due_soon_limit(today)
    reminders = {}

    def add(liaison, line):
        if liaison is not None and liaison.is_active:
            reminders.setdefault(liaison.pk, Reminder(liaison)).lines.append(line)

    designated = _designated_by_unit()
    flows = deadlines.open_flows().filter(due_date__lte=limit).select_related("case", "unit", "assignee__user")
    for flow in flows.order_by("due_date", "pk"):
        line = _line(flow.case, deadlines.deadline_state(flow.due_date, today, limit), flow.due_date, flow.unit.name)
        handler = current_handler(flow)
        add(handler, line)
        for liaison in designated.get(flow.unit_id, []):
            if handler is None or liaison.pk != handler.pk:
                add(liaison, line)
    for case in _unrouted_cases(today, limit):
        line = _line(case, deadlines.deadline_state(case.due_date, today, limit), case.due_date)
        for liaison in window_liaisons(case):
            add(liaison, line)
    return reminders


def _designated_by_unit():
    result = defaultdict(list)
    for liaison in Liaison.objects.filter(is_designated=True, is_active=True, unit__isnull=False).select_related(
        "user"
    ):
        result[liaison.unit_id].append(liaison)
    return result


def _unrouted_cases(today, limit):
    cases = deadlines.open_cases().filter(due_date__lte=limit, flows__isnull=True)
    return cases.select_related("centre").order_by("due_date", "pk")


def send(reminders):
    for reminder in reminders.values():
        tell_liaison(reminder.liaison, reminder.text)
