"""后台任务 pages: a job's progress (a <progress> bar polled by a small script, with a plain reload link),
its status as JSON, and the download of a generated export.

Only the person who started a job, or staff of the job's scope, see it (daiban.permissions.job_visible_to);
anyone else gets 404, as for a job that does not exist.
"""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..ids import parse_pk
from ..models import JobKind, JobStatus, Liaison, Unit
from ..permissions import export_phone_for, visible_job_or_404
from ..services import jobs
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
    pk = parse_pk(request.POST.get("job") if request.method == "POST" else request.GET.get("job"))
    if pk is None:
        raise Http404
    job = visible_job_or_404(request.user, pk)
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


class ImportJobsMixin:
    """An import page run as background jobs: upload → preview task (progress page) → preview (`?job=`)
    → confirm → import task (all or nothing) → result (`?job=`), failures listing their reasons.

    A page sets the two kinds and tasks and defines `upload_form(*args)` and `create_preview(form)` (the
    queued job); `check_job(job)` adds its own scope check (404), `check_confirm(preview)` its right to
    confirm, `preview_context(job)` what its preview shows.
    """

    preview_kind = import_kind = None
    preview_task = import_task = None

    def upload_form(self, *args):
        raise NotImplementedError

    def create_preview(self, form):
        raise NotImplementedError

    def check_job(self, job):
        pass

    def check_confirm(self, preview):
        pass

    def preview_context(self, job):
        return {"preview": job.result}

    def page_job(self, kinds):
        job = job_of_page(self.request, kinds)
        self.check_job(job)
        return job

    def get(self, request, *args, **kwargs):
        if "job" not in request.GET:
            return self.render_to_response(self.get_context_data(form=self.upload_form()))
        job = self.page_job((self.preview_kind, self.import_kind))
        if not job.is_finished:
            return redirect("jobs:progress", job.pk)
        context = {"job": job, "form": self.upload_form()}
        if job.status == JobStatus.FAILED:
            context["errors"] = job.result.get("errors", [])
            context["error_count"] = job.result.get("error_count", len(context["errors"]))
        elif job.kind == self.preview_kind:
            context.update(self.preview_context(job))
        else:
            context["imported"] = job.result
        return self.render_to_response(self.get_context_data(**context))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        form = self.upload_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        job = self.create_preview(form)
        self.preview_task.enqueue(job.pk)
        return redirect("jobs:progress", job.pk)

    def confirm(self):
        preview = self.page_job((self.preview_kind,))
        if preview.status != JobStatus.DONE:
            raise Http404
        self.check_confirm(preview)
        job = jobs.hand_over(preview, self.import_kind, self.request.user)
        if job is None:
            messages.error(self.request, jobs.UPLOAD_EXPIRED)
            return redirect(self.request.path)
        self.import_task.enqueue(job.pk)
        return redirect("jobs:progress", job.pk)


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
