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
