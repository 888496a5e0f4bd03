"""Daily 超时预警 reminders: who is told about which 临期 and 逾期 flows and cases.

Each open flow due soon or overdue is reported to the person who handles it (the
assignee, or the B岗 standing in) and to the unit's designated 联络员. A case due
soon or overdue without any open flow (accepted but not routed) goes to the window.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import deadlines
from .assignment import current_handler
from .models import Liaison, SentReminder
from .services.notify_staff import tell_liaison, window_liaisons


@dataclass
class Line:
    subject: str  # "flow:<pk>" or "case:<pk>": what SentReminder remembers per person and day
    case: object
    text: str


@dataclass
class Reminder:
    liaison: Liaison
    items: list = field(default_factory=list)

    @property
    def lines(self):
        return [item.text for item in self.items]

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
            reminders.setdefault(liaison.pk, Reminder(liaison)).items.append(line)

    designated = _designated_by_unit()
    flows = deadlines.open_flows().filter(due_date__lte=limit).select_related("case", "unit", "assignee__user")
    for flow in flows.order_by("due_date", "pk"):
        text = _line(flow.case, deadlines.deadline_state(flow.due_date, today, limit), flow.due_date, flow.unit.name)
        line = Line(f"flow:{flow.pk}", flow.case, text)
        handler = current_handler(flow)
        add(handler, line)
        for liaison in designated.get(flow.unit_id, []):
            if handler is None or liaison.pk != handler.pk:
                add(liaison, line)
    for case in _unrouted_cases(today, limit):
        line = Line(
            f"case:{case.pk}", case, _line(case, deadlines.deadline_state(case.due_date, today, limit), case.due_date)
        )
        for liaison in window_liaisons(case):
            add(liaison, line)
    return reminders


def not_yet_sent(reminders, today=None):
    """The reminders without the lines already sent to the same person today (cron may run twice)."""
    today = today or timezone.localdate()
    sent = set(SentReminder.objects.filter(day=today).values_list("liaison_id", "subject"))
    result = {}
    for pk, reminder in reminders.items():
        items = [item for item in reminder.items if (pk, item.subject) not in sent]
        if items:
            result[pk] = Reminder(reminder.liaison, items)
    return result


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


def send(reminders, today=None):
    """Queue each person's reminder and remember its lines for today, in one transaction.

    A line another run recorded meanwhile is dropped (the unique constraint decides), so two runs
    on the same day never tell anyone the same thing twice. Returns how many people were told.
    """
    today = today or timezone.localdate()
    told = 0
    with transaction.atomic():
        for reminder in reminders.values():
            items = [item for item in reminder.items if _claim(today, reminder.liaison, item)]
            if items:
                tell_liaison(reminder.liaison, Reminder(reminder.liaison, items).text)
                told += 1
    return told


def _claim(today, liaison, item):
    _record, created = SentReminder.objects.get_or_create(
        day=today, liaison=liaison, subject=item.subject, defaults={"case": item.case}
    )
    return created
