"""Registration only: the viewsets, admin URLs, menu items and hooks live in their own modules."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from daiban import staff_guide
from daiban.admin_ledger import CaseLedgerAdmin
from daiban.models import Notification
from daiban.services import audit
from daiban.views import case_admin, handling_hooks, results_hooks, work_queue
from daiban.views.outbox import ReadOnlyPolicy
from daiban.viewsets import catalogue
from daiban.viewsets.org import OrganisationViewSetGroup, register_permission_policies
from daiban.viewsets.search import SearchSynonymViewSet

# Every audit label of the portal, from the one registry.
hooks.register("register_log_actions", audit.register_log_actions)

# Organisation snippets. The scoped permission policies go first:
# Wagtail refuses a custom policy once a fallback one was created for the model.
register_permission_policies()
register_snippet(OrganisationViewSetGroup)

# Search synonyms (社保 → 社会保险), kept by the city's 审批指导科.
register_snippet(SearchSynonymViewSet)

# Case intake: the 台账 listing and the case page.
modeladmin_register(CaseLedgerAdmin)
hooks.register("register_admin_urls", lambda: case_admin.urlpatterns)

# Linked handling, work calendar, outbox (read-only: messages are history).
register_permission_policy(Notification, ReadOnlyPolicy(Notification))
hooks.register("register_admin_viewset", lambda: handling_hooks.viewsets)
hooks.register("register_admin_urls", handling_hooks.admin_urls)
hooks.register("register_admin_menu_item", handling_hooks.queue_menu_item)
hooks.register("construct_homepage_panels", handling_hooks.homepage_panels)

# 我的待办: each person's work queue, on the dashboard and as a page.
hooks.register("register_admin_urls", work_queue.admin_urls)
hooks.register("register_admin_menu_item", work_queue.menu_item)
hooks.register("construct_homepage_panels", work_queue.homepage_panels)

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

# Help menu: the Chinese staff guide instead of Wagtail's English editor guide.
for _name, _hook in staff_guide.HOOKS:
    hooks.register(_name, _hook)
