"""Admin views for the 附件2 workbook: export the (filtered, scoped) registry; upload, preview, confirm an
import (checked and imported by background jobs, daiban.excel.jobs)."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from daiban.excel import jobs as excel_jobs
from daiban.excel.common import XLSX_CONTENT_TYPE
from daiban.excel.liaisons import export_liaisons
from daiban.models import JobKind, Liaison, Region
from daiban.roles import Scope
from daiban.services import jobs
from daiban.services.audit import EXPORT_LIAISONS, log_export
from daiban.views.jobs import ImportJobsMixin

from .scoped import ANY_ACTION, scoped_instances

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class LiaisonExportView(PermissionCheckedMixin, View):
    """The registry as the user sees it (scope and listing filters applied), in the 附件2 layout."""

    model = Liaison
    any_permission_required = ANY_ACTION
    filterset_class = None

    def get(self, request):
        queryset = scoped_instances(request.user, Liaison)
        scope = Scope.for_user(request.user)
        described = [] if scope.sees_all or scope.region is None else [f"范围：{scope.region.full_name}"]
        applied = {}
        if self.filterset_class:
            filters = self.filterset_class(request.GET, queryset=queryset, request=request)
            if filters.is_valid():
                queryset = filters.qs
                described += describe_filters(filters.form)
                applied = filters.form.cleaned_data
        log_export(EXPORT_LIAISONS, rows=queryset.count(), filters=applied, request=request)
        response = HttpResponse(export_liaisons(queryset, "　　".join(described)), content_type=XLSX_CONTENT_TYPE)
        filename = f"附件2-帮办代办窗口和联络员登记表-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


def describe_filters(form):
    """["A/B岗：B岗", …]: the listing filters a person chose, as the export's sub-title shows them."""
    described = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()):
            continue
        field = form.fields[name]
        if isinstance(value, bool):
            shown = "是" if value else "否"
        elif hasattr(value, "full_name"):
            shown = f"{value.full_name}（含下级地区）"
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            shown = dict(field.choices).get(value, value)
        else:
            shown = str(value)
        described.append(f"{field.label}：{shown}")
    return described


class LiaisonUploadForm(forms.Form):
    file = forms.FileField(
        label="附件2 登记表（.xlsx）",
        help_text=(
            "工作表须有“地区、单位名称、姓名、联系电话”表头；表头上方的标题行和空行会被忽略。"
            "本系统导出的工作簿读取其“帮办代办员名单”表（含岗位、联络员、在岗）。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload


class LiaisonImportView(ImportJobsMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Upload → checking job (a dry run, progress) → preview (`?job=`) → confirm → import job (all or
    nothing) → result. The file waits in the default storage in between, never in the session."""

    model = Liaison
    permission_required = "add"
    template_name = "daiban/admin/org/liaison_import.html"
    page_title = "导入附件2"
    header_icon = "upload"
    index_url_name = None
    preview_kind, import_kind = JobKind.LIAISONS_PREVIEW, JobKind.LIAISONS_IMPORT
    preview_task, import_task = excel_jobs.liaisons_preview, excel_jobs.liaisons_import

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission("change"):
            raise PermissionDenied
        scope = Scope.for_user(request.user)
        if not scope.sees_all and scope.region is None:
            raise PermissionDenied
        self.within = None if scope.sees_all else scope.region
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": Liaison._meta.verbose_name_plural},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["within"] = self.within
        context["index_url"] = reverse(self.index_url_name)
        context["max_rows"] = settings.IMPORT_MAX_ROWS["liaisons"]
        return context

    def covers(self, job):
        """Whether this person's region holds the region the job imports into (None: everywhere)."""
        if self.within is None:
            return True
        within = job.params.get("within")
        return within is not None and Region.objects.filter(pk=within, path__startswith=self.within.path).exists()

    def check_job(self, job):
        if not self.covers(job):
            raise Http404

    def upload_form(self, *args):
        return LiaisonUploadForm(*args)

    def create_preview(self, form):
        return jobs.create(
            JobKind.LIAISONS_PREVIEW,
            self.request.user,
            region=self.within,
            centre=Scope.for_user(self.request.user).centre,
            params={"within": self.within.pk if self.within else None},
            upload=form.cleaned_data["file"],
        )
