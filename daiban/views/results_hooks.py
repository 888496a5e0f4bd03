"""What daiban.wagtail_hooks registers for results, evaluation and the statistics (统计报表 menu)."""

from django.urls import include, path, reverse
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from ..roles import Scope
from . import jobs, reports, results


def admin_urls():
    return [
        path("results/", include((results.urlpatterns, "results"), namespace="results")),
        path("reports/", include((reports.urlpatterns, "reports"), namespace="reports")),
        path("jobs/", include((jobs.urlpatterns, "jobs"), namespace="jobs")),
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return reports.can_view_reports(request.user)


class FollowUpMenuItem(MenuItem):
    def is_shown(self, request):
        return Scope.for_user(request.user).is_supervisor


def reports_menu_item():
    items = [
        ReportsMenuItem("办件统计", reverse("reports:statistics"), name="statistics", icon_name="table", order=1),
        ReportsMenuItem("月报确认", reverse("reports:confirmations"), name="confirmations", icon_name="tick", order=2),
        ReportsMenuItem("月度通报", reverse("reports:bulletin"), name="bulletin", icon_name="doc-full", order=3),
        ReportsMenuItem(
            "导出台账", reverse("reports:ledger_export"), name="ledger-export", icon_name="download", order=4
        ),
        ReportsMenuItem(
            "导入历史台账", reverse("reports:ledger_import"), name="ledger-import", icon_name="upload", order=5
        ),
        FollowUpMenuItem("差评整改", reverse("results:follow_ups"), name="follow-ups", icon_name="warning", order=6),
    ]
    return StatisticsSubmenu("统计报表", Menu(items=items), name="statistics-reports", icon_name="table", order=260)


class StatisticsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return reports.can_view_reports(request.user) or Scope.for_user(request.user).is_supervisor
