"""The catalogue in the admin: who may edit which matter, the completeness report, the 附件1 import.

Editing rights. Wagtail's page permissions are per subtree, and a list holds the matters of many
units. So the groups get subtree permissions on the catalogue (指南编辑: add and edit; 市审批指导科:
publish too, see migration ``catalogue_review``), every change goes through the workflow
"审批指导科审核", and the hooks below narrow a guide editor (group 指南编辑, not a reviewer) to the
matters of their own unit (StaffProfile.unit): edit, create, copy, delete, publish and unpublish
of another unit's matter answer 403, and the unit field only offers their unit.
"""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, StatusFlagColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from daiban.excel import jobs as excel_jobs
from daiban.models import (
    COMPLETION_DAYS,
    JobKind,
    MatterListPage,
    MatterPage,
    Region,
    RegionLevel,
    Unit,
    attach_lists,
)
from daiban.permissions import may_edit_matter
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, Scope, editor_unit_id, has_role, is_unit_editor
from daiban.services import jobs
from daiban.views.jobs import ImportJobsMixin

# --- who may edit which matter ---------------------------------------------------------------

REFUSAL = "您只能编辑本单位的帮办代办事项。"


def refusal(request, message=REFUSAL):
    """The admin's page saying why, with status 403."""
    context = {"page_title": "无权操作", "header_icon": "warning", "message": message}
    return TemplateResponse(request, "daiban/catalogue/admin/refused.html", context, status=403)


def _posts_other_unit(request):
    if request.method != "POST" or "unit" not in request.POST:
        return False
    return request.POST["unit"] != str(editor_unit_id(request.user))


def before_edit_page(request, page):
    if not may_edit_matter(request.user, page):
        return refusal(request)
    if isinstance(page.specific, MatterPage) and is_unit_editor(request.user) and _posts_other_unit(request):
        return refusal(request)
    return None


def before_create_page(request, parent_page, page_class):
    if not (issubclass(page_class, MatterPage) and is_unit_editor(request.user)):
        return None
    if editor_unit_id(request.user) is None or _posts_other_unit(request):
        return refusal(request)
    return None


def before_page_action(request, page, *args):
    """Delete, copy, publish, unpublish, move of another unit's matter."""
    if not may_edit_matter(request.user, page):
        return refusal(request)
    return None


# --- completeness report ---------------------------------------------------------------------


def may_see_completeness(user):
    """The city's 审批指导科 (everything), a county bureau (its region), a guide editor (their unit)."""
    if not user.is_authenticated:
        return False
    scope = Scope.for_user(user)
    return scope.sees_all or (has_role(user, COUNTY_BUREAU) and scope.region is not None) or is_unit_editor(user)


class MatterCompletenessFilterSet(WagtailFilterSet):
    region = django_filters.ModelChoiceFilter(
        label="区域", queryset=Region.objects.order_by("path"), method="filter_region", empty_label="全部区域"
    )
    level = django_filters.ChoiceFilter(
        label="清单层级", choices=RegionLevel.choices, method="filter_level", empty_label="全部层级"
    )
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Unit.objects.order_by("region__path", "name"))
    overdue = django_filters.BooleanFilter(label="已逾期", method="filter_overdue")

    class Meta:
        model = MatterPage
        fields = ["region", "level", "unit", "overdue"]

    def filter_region(self, queryset, name, value):
        return queryset.in_lists(MatterListPage.objects.filter(region__path__startswith=value.path))

    def filter_level(self, queryset, name, value):
        return queryset.in_lists(MatterListPage.objects.filter(level=value))

    def filter_overdue(self, queryset, name, value):
        cutoff = timezone.localdate() - datetime.timedelta(days=COMPLETION_DAYS)
        overdue = queryset.in_lists(MatterListPage.objects.filter(published_on__lt=cutoff))
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class MissingColumn(Column):
    cell_template_name = "daiban/catalogue/admin/missing_cell.html"


class MatterCompletenessReport(ReportView):
    """Matters whose guide lacks any 八公开 element or document, with the deadline and overdue flag."""

    page_title = "办事指南完善情况"
    header_icon = "warning"
    index_url_name = "daiban_catalogue:completeness"
    index_results_url_name = "daiban_catalogue:completeness_results"
    filterset_class = MatterCompletenessFilterSet
    paginate_by = 50
    list_export = ["title", "sub_item_name", "unit_name", "list_title", "missing_label", "deadline", "overdue_label"]
    export_headings = {
        "title": "事项名称",
        "sub_item_name": "子项名称",
        "unit_name": "单位",
        "list_title": "所属清单",
        "missing_label": "缺少的要素",
        "deadline": "完善期限",
        "overdue_label": "是否逾期",
    }
    columns = [
        TitleColumn("title", label="事项名称", url_name="wagtailadmin_pages:edit"),
        Column("unit_name", label="单位"),
        Column("list_title", label="所属清单"),
        MissingColumn("missing", label="缺少的要素"),
        Column("deadline", label="完善期限"),
        StatusFlagColumn("overdue", label="状态", true_label="已逾期", false_label="未逾期"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not may_see_completeness(request.user):
            return refusal(request, "您没有查看办事指南完善情况的权限。")
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"办事指南完善情况-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        return self.scoped(MatterPage.objects.live().incomplete().select_related("unit").order_by("path"))

    def scoped(self, queryset):
        user = self.request.user
        if is_unit_editor(user):
            return queryset.filter(unit_id=editor_unit_id(user))
        scope = Scope.for_user(user)
        if scope.sees_all:
            return queryset
        return queryset.in_lists(MatterListPage.objects.filter(region__path__startswith=scope.region.path))

    def decorate_paginated_queryset(self, object_list):
        matters = list(object_list)
        attach_lists(matters)
        prefetch_related_objects(matters, "materials", "questions")
        today = timezone.localdate()
        for matter in matters:
            matter_list = matter.parent_list
            matter.list_title = matter_list.title if matter_list else ""
            matter.deadline = matter_list.guide_deadline if matter_list else None
            matter.overdue = bool(matter.deadline and matter.deadline < today)
            matter.overdue_label = "已逾期" if matter.overdue else "未逾期"
            matter.missing = matter.missing_elements()
            matter.missing_label = "、".join(matter.missing)
        return matters


# --- 附件1 import, as background jobs ---------------------------------------------------------

IMPORT_REFUSAL = "只有市审批指导科可以导入事项清单。"


def may_import(user):
    return user.is_superuser or has_role(user, CITY_GUIDANCE)


class MatterImportForm(forms.Form):
    file = forms.FileField(label="附件1 文件（.xlsx）", help_text="按《帮办代办事项清单》模板填写的工作簿。")
    region = forms.ModelChoiceField(label="区域", queryset=Region.objects.order_by("path"))
    level = forms.ChoiceField(label="清单层级", choices=RegionLevel.choices)
    draft = forms.BooleanField(label="保存为草稿（审核后再发布）", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        return upload


class MatterImportView(ImportJobsMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → reading job (progress) → preview (`?job=`) → confirm → import job (all or nothing) → result.

    The worker reads the file (daiban.excel.jobs.matters_preview) and, once confirmed, reads it again and
    imports it in one transaction (matters_import); a job's page is for its owner or its scope.
    """

    page_title = "导入帮办代办事项清单"
    header_icon = "upload"
    template_name = "daiban/catalogue/admin/import.html"
    preview_kind, import_kind = JobKind.MATTERS_PREVIEW, JobKind.MATTERS_IMPORT
    preview_task, import_task = excel_jobs.matters_preview, excel_jobs.matters_import

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            return refusal(request, IMPORT_REFUSAL)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_rows=settings.IMPORT_MAX_ROWS["matters"], **kwargs)

    def upload_form(self, *args):
        return MatterImportForm(*args)

    def create_preview(self, form):
        region = form.cleaned_data["region"]
        return jobs.create(
            JobKind.MATTERS_PREVIEW,
            self.request.user,
            region=region,
            params={"region": region.pk, "level": form.cleaned_data["level"], "draft": form.cleaned_data["draft"]},
            upload=form.cleaned_data["file"],
        )

    def preview_context(self, job):
        return {"preview": job.result, "draft": job.params.get("draft")}


# --- registration (called from daiban.wagtail_hooks) -----------------------------------------


def admin_urls():
    patterns = [
        path("completeness/", MatterCompletenessReport.as_view(), name="completeness"),
        path(
            "completeness/results/",
            MatterCompletenessReport.as_view(results_only=True),
            name="completeness_results",
        ),
        path("import/", MatterImportView.as_view(), name="import"),
    ]
    return [path("catalogue/", include((patterns, "daiban_catalogue"), namespace="daiban_catalogue"))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import(request.user)


class CompletenessMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_completeness(request.user)


def completeness_menu_item():
    return CompletenessMenuItem("办事指南完善情况", reverse("daiban_catalogue:completeness"), icon_name="warning")


def import_menu_item():
    return ImportMenuItem("导入事项清单", reverse("daiban_catalogue:import"), icon_name="upload", order=900)
