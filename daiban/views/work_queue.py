"""我的待办: the dashboard panel (counts and the first items of each section) and the full page.

The sections and their scope come from daiban.queues; here they are counted (bounded, COUNT_CAP),
sliced and turned into rows. Each section costs two queries whatever the data volume.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import deadlines, queues
from ..models import Channel, HandoverParty
from ..workdays import WorkCalendar
from .panels import bounded_count

PANEL_LIMIT = 5
PAGE_SIZE = 30

# Which page an item opens: the case page (screening, 容缺), 联动办理 (flows, handovers, supervision), or
# 反馈与评价 (results, evaluation, 差评整改).
CASE_PAGE = {
    "screening": "daiban_case_detail",
    "corrections": "daiban_case_detail",
    "deferred": "daiban_case_detail",
    "results": "results:case",
    "evaluations": "results:case",
    "follow_ups": "results:case",
    "overdue_cases": "handling:case",
    "supervision": "handling:case",
}


@dataclass
class Row:
    number: str
    url: str
    matter: str
    what: str
    due: object = None
    when: object = None
    green: str = ""
    badges: list = field(default_factory=list)  # (text, css class)


class RowMaker:
    """Turns the items of one section into rows (no query: everything shown was joined in)."""

    def __init__(self, section, today=None):
        self.section = section
        self.today = today or timezone.localdate()
        self.limit = deadlines.due_soon_limit(self.today)
        self.calendar = WorkCalendar()

    def __call__(self, items):
        return [getattr(self, self.section.kind)(item) for item in items]

    def deadline_badges(self, due):
        state = deadlines.deadline_state(due, self.today, self.limit)
        if state == deadlines.OVERDUE:
            return [("逾期", "daiban-overdue")]
        return [("临期", "")] if state == deadlines.DUE_SOON else []

    def row(self, case, what, *, url=None, anchor="", due=None, when=None, badges=()):
        url = url or reverse(CASE_PAGE[self.section.key], args=[case.pk]) + anchor
        green = case.get_special_group_display() if case.special_group else ""
        return Row(case.number, url, case.matter_name, what, due, when, green, list(badges))

    def case(self, case):
        key = self.section.key
        if key == "screening":
            badges = [("新", "daiban-new")] if getattr(case, "is_new", 0) else []
            what = "网上申请" if case.channel == Channel.ONLINE else f"{Channel(case.channel).label}登记"
            return self.row(case, what, when=case.submitted_at, badges=badges)
        if key == "corrections":
            what = "申请人网上提交补正材料" if case.online else "窗口已登记补正"
            return self.row(case, what, when=case.corrected_at)
        if key == "results":
            what = "已通知申请人，待领取或邮寄" if case.result_notified_at else "待通知申请人"
            return self.row(
                case, f"{what}（{case.get_delivery_display()}）", due=case.due_date, when=case.results_returned_at
            )
        due = case.due_date
        return self.row(
            case, f"{case.centre.name}·{case.get_status_display()}", due=due, badges=self.deadline_badges(due)
        )

    def evaluation(self, case):
        due = queues.callback_due(case.completed_at, self.calendar)
        badges = [("应回访", "daiban-overdue")] if due < self.today else []
        return self.row(case, "已办结，待评价（网上好差评或电话回访）", due=due, when=case.completed_at, badges=badges)

    def supervision(self, case):
        due = case.due_date
        return self.row(
            case,
            f"{case.centre.name}·{case.get_status_display()}",
            due=due,
            when=case.escalated_at,
            badges=[("提级督办", "daiban-overdue"), *self.deadline_badges(due)],
        )

    def deferred(self, material):
        badges = [("逾期", "daiban-overdue")] if material.due_date < self.today else [("临期", "")]
        return self.row(
            material.case,
            f"容缺材料：{material.name}",
            anchor="#case-deferred-section",
            due=material.due_date,
            badges=badges,
        )

    def flow(self, flow):
        url = reverse("handling:case", args=[flow.case_id]) + f"#flow-{flow.pk}"
        who = f"（{flow.assignee.name}）" if flow.assignee_id else ""
        return self.row(
            flow.case,
            f"{flow.unit.name}{who}·{flow.get_status_display()}",
            url=url,
            due=flow.due_date,
            when=flow.assigned_at,
            badges=self.deadline_badges(flow.due_date),
        )

    def handover(self, handover):
        url = reverse("handling:case", args=[handover.case_id]) + f"#handover-{handover.pk}"
        if handover.from_party == HandoverParty.UNIT and handover.from_unit_id:
            source = handover.from_unit.name
        else:
            source = HandoverParty(handover.from_party).label
        kind = "办结结果材料" if handover.is_result else "材料"
        return self.row(handover.case, f"{source}移交{kind}，待确认接收", url=url, when=handover.handed_over_at)

    def follow_up(self, follow_up):
        evaluation = follow_up.evaluation
        what = f"{evaluation.get_level_display()}·{follow_up.get_status_display()}"
        due = follow_up.rectify_by
        return self.row(
            evaluation.case,
            what,
            anchor="#follow-up-section",
            due=due,
            when=evaluation.evaluated_at,
            badges=self.deadline_badges(due),
        )


def queue_url(key=None):
    url = reverse("work_queue")
    return f"{url}?section={key}" if key else url


class WorkQueuePanel(Component):
    """The dashboard's 我的待办: every section's count, its first few items and a link to the full list."""

    name = "work_queue"
    template_name = "daiban/admin/queue/dashboard.html"
    order = 30

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        if not queues.has_queue(user):
            return {"shown": False}
        sections = []
        for section in queues.sections_for(user):
            total = bounded_count(section.queryset)
            rows = RowMaker(section)(section.queryset[:PANEL_LIMIT]) if total else []
            sections.append({"section": section, "count": total, "rows": rows, "url": queue_url(section.key)})
        return {
            "shown": True,
            "sections": sections,
            "any": any(entry["count"] for entry in sections),
            "url": queue_url(),
        }


class WorkQueueView(WagtailAdminTemplateMixin, TemplateView):
    """我的待办 in full: the sections as tabs with their counts, the chosen one listed page by page."""

    template_name = "daiban/admin/queue/index.html"
    page_title = "我的待办"
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "我的待办"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not queues.has_queue(user):
            raise PermissionDenied
        sections = queues.sections_for(user)
        counts = [(section, bounded_count(section.queryset)) for section in sections]
        key = self.request.GET.get("section")
        if key:
            current = next((section for section in sections if section.key == key), None)
            if current is None:
                raise Http404  # another role's list, or no list at all
        else:
            current = next((section for section, total in counts if total), sections[0] if sections else None)
        page = self.page_number()
        rows, has_next = [], False
        if current is not None:
            start = (page - 1) * PAGE_SIZE
            items = list(current.queryset[start : start + PAGE_SIZE + 1])
            has_next = len(items) > PAGE_SIZE
            rows = RowMaker(current)(items[:PAGE_SIZE])
        context.update(
            tabs=[(section, total, queue_url(section.key)) for section, total in counts],
            current=current,
            total=dict((section.key, total) for section, total in counts).get(getattr(current, "key", None), 0),
            rows=rows,
            page=page,
            has_next=has_next,
            base_url=queue_url(current.key) if current else queue_url(),
        )
        return context

    def page_number(self):
        try:
            return max(1, min(int(self.request.GET.get("p", 1)), 10_000))
        except ValueError:
            return 1


class WorkQueueMenuItem(MenuItem):
    def is_shown(self, request):
        return queues.has_queue(request.user)


def menu_item():
    return WorkQueueMenuItem(
        "我的待办", reverse("work_queue"), name="work-queue", icon_name="clipboard-list", order=200
    )


def homepage_panels(request, panels):
    panels.append(WorkQueuePanel())


urlpatterns = [path("my-queue/", WorkQueueView.as_view(), name="work_queue")]


def admin_urls():
    return urlpatterns
