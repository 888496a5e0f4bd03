"""What daiban.wagtail_hooks registers for linked handling, the work calendar and the outbox."""

from django.urls import include, path, reverse
from wagtail.admin.menu import MenuItem

from ..roles import UNIT_STAFF, Scope, has_role
from . import flows, outbox
from .calendar import work_calendar_viewset
from .outbox import outbox_viewset
from .panels import CalendarWarningPanel, DeadlineWarningsPanel

viewsets = [work_calendar_viewset, outbox_viewset]


def admin_urls():
    return [
        path("handling/", include((flows.urlpatterns, "handling"), namespace="handling")),
        *outbox.urlpatterns,
    ]


class QueueMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return Scope.for_user(user).sees_all or has_role(user, UNIT_STAFF) or user.coordinated_cases.exists()


def queue_menu_item():
    return QueueMenuItem("我的办件", reverse("handling:queue"), name="my-flows", icon_name="tasks", order=210)


def homepage_panels(request, panels):
    panels.append(CalendarWarningPanel())
    panels.append(DeadlineWarningsPanel())


LOG_ACTIONS = {
    "route": "转办",
    "return_results": "结果返回窗口",
    "add_unit": "增加协办单位",
    "accept_flow": "单位受理",
    "request_materials": "单位要求补充材料",
    "resume_flow": "单位恢复办理",
    "complete_flow": "单位办结",
    "reopen_flows": "退回单位补充办理结果",
    "cancel_flows": "撤回后取消单位流转",
    "handover": "材料交接",
    "handover_received": "确认接收材料",
    "supervise": "督办",
}


def register_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(f"daiban.case.{action}", label, label)
