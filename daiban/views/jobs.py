"""后台任务 pages: a job's progress (a <progress> bar polled by a small script, with a plain reload link),
its status as JSON, and the download of a generated export.

Only the person who started a job, or staff of the job's scope, see it (daiban.permissions.job_visible_to);
anyone else gets 404, as for a job that does not exist.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models import JobKind, JobStatus, Liaison, Unit
from ..permissions import export_phone_for, visible_job_or_404
from ..services.audit import EXPORT_LEDGER, log_export
from ..services.jobs import live_progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Where a finished job's outcome is shown (its import page, `?job=<id>`); exports stay on the progress
# page, which offers the download.
RESULT_PAGES = {
    JobKind.LEDGER_PREVIEW: "reports:ledger_import",
    JobKind.LEDGER_IMPORT: "reports:ledger_import",
    JobKind.MATTERS_PREVIEW: "daiban_catalogue:import",
    JobKind.MATTERS_IMPORT: "daiban_catalogue:import",
    JobKind.LIAISONS_PREVIEW: lambda: Liaison.snippet_viewset.get_url_name("import"),
    JobKind.LIAISONS_IMPORT: lambda: Liaison.snippet_viewset.get_url_name("import"),
}


def result_url(job):
    name = RESULT_PAGES.get(job.kind)
    if callable(name):
        name = name()
    return f"{reverse(name)}?job={job.pk}" if name else ""


def job_of_page(request, kinds):
    """The job a result page shows (`?job=<id>` or, on a confirm, the posted `job`), or 404: not a number,
    not one of `kinds`, or not visible to this person (permissions.job_visible_to)."""
    value = str(request.POST.get("job", "") if request.method == "POST" else request.GET.get("job", ""))
    if not value.isdigit():
        raise Http404
    job = visible_job_or_404(request.user, int(value))
    if job.kind not in kinds:
        raise Http404
    return job


def status_data(job):
    done, total, phase = live_progress(job)
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "phase": phase,
        "rows_done": done,
        "rows_total": total,
        "finished": job.is_finished,
        "next": result_url(job) if job.is_finished else "",
    }


class JobProgressView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "daiban/admin/jobs/progress.html"
    header_icon = "time"

    def get_page_title(self):
        return self.job.get_kind_display()

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, pk):
        self.job = visible_job_or_404(request.user, pk)
        if self.job.is_finished and result_url(self.job):
            return redirect(result_url(self.job))
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        status = status_data(self.job)
        return super().get_context_data(job=self.job, progress=status, **kwargs)


class JobStatusView(View):
    def get(self, request, pk):
        return JsonResponse(status_data(visible_job_or_404(request.user, pk)))


class JobDownloadView(View):
    """The file of a finished export; every download is in the audit log, as immediate exports are."""

    def get(self, request, pk):
        job = visible_job_or_404(request.user, pk)
        if job.status != JobStatus.DONE or not job.export_file or not default_storage.exists(job.export_file):
            raise Http404
        params = job.params
        log_export(
            EXPORT_LEDGER,
            rows=job.result.get("rows", 0),
            filters={
                "unit": Unit.objects.filter(pk=params.get("unit")).first() if params.get("unit") else None,
                "start": params.get("start"),
                "end": params.get("end"),
            },
            request=request,
            masked=export_phone_for(job.user).masks_all,
            job=job.pk,
        )
        return FileResponse(
            default_storage.open(job.export_file, "rb"),
            as_attachment=True,
            filename=params.get("filename") or "导出.xlsx",
            content_type=XLSX,
        )


urlpatterns = [
    path("<int:pk>/", JobProgressView.as_view(), name="progress"),
    path("<int:pk>/status/", JobStatusView.as_view(), name="status"),
    path("<int:pk>/download/", JobDownloadView.as_view(), name="download"),
]
