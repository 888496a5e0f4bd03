"""Registration only: the viewsets, admin URLs, menu items and hooks live in their own modules."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from daiban import audit, auth
from daiban.admin_ledger import CaseLedgerAdmin
from daiban.views import case_admin, handling_hooks, results_hooks
from daiban.viewsets import catalogue
from daiban.viewsets.org import OrganisationViewSetGroup, register_permission_policies

# Organisation snippets. The scoped permission policies go first:
# Wagtail refuses a custom policy once a fallback one was created for the model.
register_permission_policies()
register_snippet(OrganisationViewSetGroup)

# Case intake: the 台账 listing and the case page.
modeladmin_register(CaseLedgerAdmin)
hooks.register("register_admin_urls", lambda: case_admin.urlpatterns)
hooks.register("register_log_actions", case_admin.register_log_actions)

# Linked handling, work calendar, outbox.
hooks.register("register_admin_viewset", lambda: handling_hooks.viewsets)
hooks.register("register_admin_urls", handling_hooks.admin_urls)
hooks.register("register_admin_menu_item", handling_hooks.queue_menu_item)
hooks.register("construct_homepage_panels", handling_hooks.homepage_panels)
hooks.register("register_log_actions", handling_hooks.register_log_actions)

# Catalogue: completeness report, 附件1 import, unit editors limited to their unit's matters.
hooks.register("register_admin_urls", catalogue.admin_urls)
hooks.register("register_reports_menu_item", catalogue.completeness_menu_item)
hooks.register("register_admin_menu_item", catalogue.import_menu_item)
hooks.register("before_edit_page", catalogue.before_edit_page)
hooks.register("before_create_page", catalogue.before_create_page)
for _hook in (
    "before_delete_page",
    "before_copy_page",
    "before_move_page",
    "before_publish_page",
    "before_unpublish_page",
):
    hooks.register(_hook, catalogue.before_page_action)

# Results, evaluation, statistics: the 统计报表 menu.
hooks.register("register_admin_urls", results_hooks.admin_urls)
hooks.register("register_admin_menu_item", results_hooks.reports_menu_item)
hooks.register("register_log_actions", results_hooks.register_log_actions)

# Logins, logouts, failed logins and lockouts in the audit log (站点历史).
hooks.register("register_log_actions", auth.register_log_actions)
# Every export download (附件1, 2, 4, 8) in the audit log.
hooks.register("register_log_actions", audit.register_log_actions)
