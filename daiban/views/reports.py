"""统计报表 in the admin: the monthly statistics (附件8) with charts, the reporting duty, the 通报,
the ledger export (附件4) and the historical ledger import.

Everyone sees only their own region: the city (审批指导科) everything, a county bureau its
county and below, window staff the region of their centre.
"""

import re
import tempfile

import django_tables2 as tables
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..charts import bar_chart, horizontal_bars
from ..excel import jobs as excel_jobs
from ..excel.ledger import ledger_cases, ledger_subtitle, write_ledger
from ..excel.monthly import write_monthly
from ..forms.reports import ConfirmReportForm, LedgerExportForm, LedgerUploadForm, PeriodForm, default_month
from ..models import JobKind, JobStatus, Region, Unit
from ..permissions import can_confirm_report, cases_visible_to, export_phone_for, visible_job_or_404
from ..reporting import reporting_status
from ..roles import COUNTY_BUREAU, WINDOW_STAFF, Scope, has_role
from ..services import jobs
from ..services.audit import EXPORT_LEDGER, EXPORT_STATISTICS, log_export
from ..services.reporting import ConfirmMonth
from ..statistics import Period, format_rate, grand_total, monthly_trend, reporting_units, statistics_table
from .actions import ActionViewMixin, Offer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_MONTHS = 12


# Scope ------------------------------------------------------------------------------------------


def report_region(user):
    """The top region a person may report on; PermissionDenied for people without statistics access."""
    scope = Scope.for_user(user)
    if scope.sees_all:
        return Region.get_first_root_node()
    if scope.region is not None and (has_role(user, COUNTY_BUREAU) or has_role(user, WINDOW_STAFF)):
        return scope.region
    raise PermissionDenied


def regions_for(user):
    top = report_region(user)
    regions = Region.objects.order_by("path")
    return regions.filter(path__startswith=top.path) if top is not None else regions


def can_view_reports(user):
    try:
        report_region(user)
    except PermissionDenied:
        return False
    return True


# The statistics table ---------------------------------------------------------------------------


class StatisticsTable(tables.Table):
    serial = tables.Column("序号", empty_values=(), orderable=False)
    name = tables.Column("单位名称", orderable=False)
    accepted = tables.Column("受理数量", orderable=False, attrs={"td": {"class": "number"}})
    in_progress = tables.Column("在办数量", orderable=False, attrs={"td": {"class": "number"}})
    completed = tables.Column("办结数量", orderable=False, attrs={"td": {"class": "number"}})
    satisfaction = tables.Column("满意度", orderable=False, attrs={"td": {"class": "number"}})
    remark = tables.Column("备注", orderable=False, empty_values=())

    class Meta:
        template_name = "django_tables2/table.html"
        attrs = {"class": "listing daiban-statistics"}
        row_attrs = {"class": lambda record: "daiban-rollup" if record["is_region"] else ""}
        empty_text = "所选区域暂无帮办代办窗口单位。"

    def render_name(self, record, value):
        return record["indent"] + value

    def render_serial(self, record):
        return record["serial"] or ""

    def render_remark(self, record):
        return "合计" if record["is_region"] else ""


def table_records(rows):
    records, serial = [], 0
    for row in rows:
        if not row.is_region:
            serial += 1
        figures = row.figures
        records.append(
            {
                "serial": None if row.is_region else serial,
                "name": row.name,
                "depth": row.depth,
                "indent": "\u3000" * row.depth,
                "is_region": row.is_region,
                "accepted": figures.accepted,
                "in_progress": figures.in_progress,
                "completed": figures.completed,
                "satisfaction": figures.satisfaction_label,
            }
        )
    return records


class ReportsMixin(WagtailAdminTemplateMixin):
    header_icon = "table"
    page_title = "统计报表"

    def dispatch(self, request, *args, **kwargs):
        report_region(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": reverse("reports:statistics"), "label": "统计报表"}]

    @cached_property
    def period_form(self):
        regions = regions_for(self.request.user)
        data = self.request.GET.copy()
        data.setdefault("region", str(regions.first().pk) if regions.exists() else "")
        return PeriodForm(data, regions=regions)

    @cached_property
    def selection(self):
        """(period, region) from the filter, or the defaults when the filter is invalid."""
        form = self.period_form
        if form.is_valid():
            return form.cleaned_data["period"], form.cleaned_data["region"]
        return default_month(), report_region(self.request.user)

    def query(self, **extra):
        period, region = self.selection
        params = {"region": region.pk if region else ""}
        if period.is_month:
            params["month"] = f"{period.start:%Y-%m}"
        else:
            params.update(start=period.start.isoformat(), end=period.end.isoformat())
        params.update(extra)
        return urlencode(params)


class StatisticsView(ReportsMixin, TemplateView):
    template_name = "daiban/admin/reports/statistics.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "统计报表"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, region = self.selection
        rows = statistics_table(period, region)
        total = grand_total(rows)
        trend = monthly_trend(period.previous_months(TREND_MONTHS), region)
        units = [row for row in rows if not row.is_region]
        context.update(
            form=self.period_form,
            period=period,
            region=region,
            table=StatisticsTable(table_records(rows)),
            total=total,
            trend=trend,
            trend_chart=bar_chart(
                f"{region.name if region else '全市'}帮办代办月度趋势（受理、办结）",
                [f"{p.start.year % 100:02d}年{p.start.month}月" for p, _ in trend],
                [("受理数量", [f.accepted for _, f in trend]), ("办结数量", [f.completed for _, f in trend])],
                chart_id="trend-chart",
            ),
            units=units,
            satisfaction_chart=horizontal_bars(
                f"{period.label}各单位满意度",
                [(row.name, row.figures.satisfaction) for row in units],
                chart_id="satisfaction-chart",
            ),
            export_url=f"{reverse('reports:statistics_export')}?{self.query()}",
            query=self.query(),
        )
        return context


class StatisticsExportView(ReportsMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        period, region = self.selection
        rows = statistics_table(period, region)
        name = f"办件统计表-{region.name if region else '全市'}-{period.label}.xlsx"
        log_export(
            EXPORT_STATISTICS,
            rows=len(rows),
            filters={"period": period.label, "region": region.name if region else "全市"},
            request=request,
        )
        return _xlsx_response(lambda target: write_monthly(rows, target, period=period, scope_name=region.name), name)


def _xlsx_response(write, filename):
    """Write to a temporary file (bounded memory) and stream it out."""
    handle = tempfile.TemporaryFile()
    write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


# The reporting duty -----------------------------------------------------------------------------


class MonthMixin(ReportsMixin):
    @cached_property
    def month(self):
        period, _region = self.selection
        return period if period.is_month else Period.containing(period.start)


class ConfirmationsView(ActionViewMixin, MonthMixin, TemplateView):
    """按月确认: each reporting unit confirms; late units are flagged; the city sees who has confirmed."""

    template_name = "daiban/admin/reports/confirmations.html"
    offer_field = "unit"

    def get_page_title(self):
        return "月报确认"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": "月报确认"}]

    def get_success_url(self):
        return f"{reverse('reports:confirmations')}?{self.query()}"

    @cached_property
    def statuses(self):
        _period, region = self.selection
        return reporting_status(self.month, region)

    def requested_offer(self):
        offer = super().requested_offer()
        if offer is None:
            raise PermissionDenied  # a unit outside the person's region, or none at all
        return offer

    def get_offers(self):
        return [
            Offer(
                str(status.unit.pk),
                ConfirmMonth(status.unit, period=self.month, user=self.request.user),
                ConfirmReportForm,
                lambda report: f"{report.unit.name}{self.month.label}办件统计表已确认（受理{report.accepted}件）。",
                prefix=f"u{status.unit.pk}",
            )
            for status in self.statuses
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _period, region = self.selection
        statuses = self.statuses
        possible = self.possible_forms() if self.month.end < timezone.localdate() else {}
        rows = [
            (
                status,
                (possible.get(str(status.unit.pk)) or {}).get("form"),
                format_rate(status.report.satisfaction) if status.report else "",
            )
            for status in statuses
        ]
        context.update(
            form=self.period_form,
            month=self.month,
            region=region,
            rows=rows,
            confirmed=sum(1 for s in statuses if s.confirmed),
            late=[s for s in statuses if s.is_late],
            due=statuses[0].due if statuses else None,
        )
        return context


class BulletinView(MonthMixin, TemplateView):
    """The monthly 通报: figures per unit and the units that reported late or not at all. Printable."""

    template_name = "daiban/admin/reports/bulletin.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _period, region = self.selection
        rows = statistics_table(self.month, region)
        statuses = reporting_status(self.month, region)
        context.update(
            month=self.month,
            region=region,
            records=table_records(rows),
            total=grand_total(rows),
            late=[s for s in statuses if s.is_late],
            confirmed=[s for s in statuses if s.confirmed],
            unconfirmed=[s for s in statuses if not s.confirmed],
            due=statuses[0].due if statuses else None,
            today=timezone.localdate(),
            back_url=f"{reverse('reports:confirmations')}?{self.query()}",
        )
        return context


# The ledger (附件4): export and historical import --------------------------------------------------


def ledger_units(user):
    return reporting_units(report_region(user)).select_related("region").order_by("region__path", "name")


class LedgerExportView(ReportsMixin, TemplateView):
    """台账导出: the cases the person may see, in the 附件4 layout."""

    template_name = "daiban/admin/reports/ledger_export.html"

    def get_page_title(self):
        return "导出台账"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": "导出台账"}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        units = _visible_units(request.user)
        form = LedgerExportForm(request.GET or None, units=units)
        if "download" in request.GET and form.is_valid():
            data = form.cleaned_data
            cases = ledger_cases(
                cases_visible_to(request.user), unit=data["unit"], start=data["start"], end=data["end"]
            )
            name = f"帮办代办工作登记台账-{data['unit'].name if data['unit'] else '全部'}.xlsx"
            rows = cases.count()
            if rows > settings.EXPORT_JOB_THRESHOLD:
                return self.export_as_job(data, name)
            subtitle = ledger_subtitle(data["unit"], data["start"], data["end"])
            contact_phone = export_phone_for(request.user)
            log_export(
                EXPORT_LEDGER,
                rows=rows,
                filters={"unit": data["unit"], "start": data["start"], "end": data["end"]},
                request=request,
                masked=contact_phone.masks_all,
            )
            return _xlsx_response(
                lambda target: write_ledger(cases, target, subtitle, contact_phone=contact_phone), name
            )
        return self.render_to_response(self.get_context_data(form=form))

    def export_as_job(self, data, filename):
        """A large ledger is written by the worker; the progress page then offers the file (logged on download)."""
        scope = Scope.for_user(self.request.user)
        unit = data["unit"]
        job = jobs.create(
            JobKind.LEDGER_EXPORT,
            self.request.user,
            region=unit.region if unit else scope.region,
            centre=scope.centre,
            params={
                "unit": unit.pk if unit else None,
                "start": data["start"].isoformat() if data["start"] else "",
                "end": data["end"].isoformat() if data["end"] else "",
                "filename": filename,
            },
        )
        excel_jobs.ledger_export.enqueue(job.pk)
        return redirect("jobs:progress", job.pk)


def _visible_units(user):
    try:
        return ledger_units(user)
    except PermissionDenied:
        scope = Scope.for_user(user)
        centre_unit = getattr(scope.centre, "window_unit_id", None)
        return reporting_units().filter(pk=centre_unit).select_related("region")


class LedgerImportView(ReportsMixin, TemplateView):
    """历史台账导入, as background jobs: upload → reading job (progress) → preview → confirm → import job
    (progress, all or nothing) → result. The page of a job is `?job=<id>`, for its owner or its scope."""

    template_name = "daiban/admin/reports/ledger_import.html"

    def get_page_title(self):
        return "导入历史台账"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": "导入历史台账"}]

    def units(self):
        user = self.request.user
        return [unit for unit in ledger_units(user) if can_confirm_report(user, unit)]

    def unit_queryset(self):
        return ledger_units(self.request.user).filter(pk__in=[u.pk for u in self.units()])

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_rows=settings.IMPORT_MAX_ROWS["ledger"], **kwargs)

    def upload_form(self, *args):
        return LedgerUploadForm(*args, units=self.unit_queryset())

    def get(self, request, *args, **kwargs):
        if "job" not in request.GET:
            return self.render_to_response(self.get_context_data(form=self.upload_form()))
        job = visible_job_or_404(request.user, _job_id(request.GET["job"]))
        if job.kind not in (JobKind.LEDGER_PREVIEW, JobKind.LEDGER_IMPORT):
            raise Http404
        if not job.is_finished:
            return redirect("jobs:progress", job.pk)
        context = {"job": job, "form": self.upload_form()}
        if job.status == JobStatus.FAILED:
            context["errors"] = job.result.get("errors", [])
            context["error_count"] = job.result.get("error_count", len(context["errors"]))
        elif job.kind == JobKind.LEDGER_PREVIEW:
            context.update(form=None, preview=job.result, unit=Unit.objects.filter(pk=job.params["unit"]).first())
        else:
            context["imported"] = job.result
        return self.render_to_response(self.get_context_data(**context))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        form = self.upload_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        unit, upload = form.cleaned_data["unit"], form.cleaned_data["file"]
        job = jobs.create(
            JobKind.LEDGER_PREVIEW,
            request.user,
            region=unit.region,
            centre=Scope.for_user(request.user).centre,
            params={"unit": unit.pk},
            upload=upload,
        )
        excel_jobs.ledger_preview.enqueue(job.pk)
        return redirect("jobs:progress", job.pk)

    def confirm(self):
        preview = visible_job_or_404(self.request.user, _job_id(self.request.POST.get("job", "")))
        if preview.kind != JobKind.LEDGER_PREVIEW or preview.status != JobStatus.DONE:
            raise Http404
        unit = self.unit_queryset().filter(pk=preview.params["unit"]).first()
        if unit is None:
            raise PermissionDenied
        if not preview.upload_file or not default_storage.exists(preview.upload_file):
            messages.error(self.request, "上传的文件已过期，请重新上传。")
            return redirect("reports:ledger_import")
        job = jobs.create(
            JobKind.LEDGER_IMPORT,
            self.request.user,
            region=unit.region,
            centre=preview.centre,
            params={"unit": unit.pk, "preview": preview.pk},
            upload_file=preview.upload_file,
            upload_name=preview.upload_name,
        )
        # The file now belongs to the import job: the preview cannot be confirmed twice.
        type(preview).objects.filter(pk=preview.pk).update(upload_file="")
        excel_jobs.ledger_import.enqueue(job.pk)
        return redirect("jobs:progress", job.pk)


def _job_id(value):
    # Not str.isdigit(): "²" is a digit to it but not to int(); at most 18 digits fit any database's integer.
    if not re.fullmatch(r"[0-9]{1,18}", str(value)):
        raise Http404
    return int(value)


urlpatterns = [
    path("", StatisticsView.as_view(), name="statistics"),
    path("export/", StatisticsExportView.as_view(), name="statistics_export"),
    path("confirmations/", ConfirmationsView.as_view(), name="confirmations"),
    path("bulletin/", BulletinView.as_view(), name="bulletin"),
    path("ledger/export/", LedgerExportView.as_view(), name="ledger_export"),
    path("ledger/import/", LedgerImportView.as_view(), name="ledger_import"),
]
