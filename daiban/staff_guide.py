"""The staff guide (工作人员操作指南) in the admin's help menu, in place of Wagtail's English editor guide.

A static admin page every staff member may open. `HOOKS` is registered by wagtail_hooks.py.
"""

from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

# Wagtail's help items that lead to English pages on wagtail.org.
ENGLISH_HELP_ITEMS = {"editor-guide"}
ENGLISH_HELP_PREFIXES = ("whats-new-in-wagtail-",)


class StaffGuideView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "daiban/admin/staff_guide.html"
    page_title = "工作人员操作指南"
    header_icon = "help"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]


def admin_urls():
    return [path("staff-guide/", StaffGuideView.as_view(), name="daiban_staff_guide")]


def help_menu_item():
    return MenuItem("工作人员操作指南", reverse("daiban_staff_guide"), name="staff-guide", icon_name="help", order=900)


def construct_help_menu(request, menu_items):
    menu_items[:] = [
        item
        for item in menu_items
        if item.name not in ENGLISH_HELP_ITEMS and not item.name.startswith(ENGLISH_HELP_PREFIXES)
    ]


HOOKS = [
    ("register_admin_urls", admin_urls),
    ("register_help_menu_item", help_menu_item),
    ("construct_help_menu", construct_help_menu),
]
