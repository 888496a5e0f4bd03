"""The life of a background job (daiban.models.BackgroundJob): created by a page, run by the worker.

A page creates the job (keeping the upload in the default storage) and queues its task; the task
calls `begin`, reports `progress` as it goes and ends with `finish` or `fail`. Work that writes does
so in one transaction, so a failed or killed job leaves nothing half done; while that transaction is
open its progress goes to a small file beside the job's files (the job row would only show it at
commit). Files of jobs older than a day are removed by `remove_old_job_files`.
"""

import json
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from ..models import BackgroundJob, JobStatus

__all__ = [
    "FAILED_UNEXPECTEDLY",
    "UPLOAD_EXPIRED",
    "begin",
    "create",
    "discard_upload",
    "fail",
    "finish",
    "hand_over",
    "job_file_name",
    "live_progress",
    "progress",
    "remove_old_job_files",
]

logger = logging.getLogger("daiban.jobs")

FAILED_UNEXPECTEDLY = "任务意外中断，未写入任何数据。请重新上传或稍后重试；多次失败请联系管理员。"
UPLOAD_EXPIRED = "上传的文件已过期或已确认导入，请重新上传。"
MAX_STORED_ERRORS = 1000


def job_file_name(suffix):
    return f"{settings.JOB_FILES_PREFIX}/{uuid.uuid4().hex}{suffix}"


def create(kind, user, *, region=None, centre=None, params=None, upload=None, upload_file="", upload_name=""):
    """A queued job; `upload` (an uploaded file) is kept in the default storage for the worker."""
    if upload is not None:
        upload.seek(0)
        upload_file = default_storage.save(job_file_name(".xlsx"), upload)
        upload_name = upload.name
    return BackgroundJob.objects.create(
        kind=kind,
        user=user if user is not None and user.is_authenticated else None,
        region=region,
        centre=centre,
        params=params or {},
        upload_file=upload_file,
        upload_name=(upload_name or "")[:255],
    )


def hand_over(preview, kind, user, *, params=None):
    """The import job that follows a finished preview, taking over its kept upload; None if that expired
    or the preview was confirmed already (it keeps no file afterwards, so it cannot be confirmed twice)."""
    name = preview.upload_file
    if not name or not default_storage.exists(name):
        return None
    if not BackgroundJob.objects.filter(pk=preview.pk, upload_file=name).update(upload_file=""):
        return None
    return create(
        kind,
        user,
        region=preview.region,
        centre=preview.centre,
        params={**preview.params, **(params or {}), "preview": preview.pk},
        upload_file=name,
        upload_name=preview.upload_name,
    )


def begin(job_id):
    job = BackgroundJob.objects.get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.rows_done = 0
    job.save(update_fields=["status", "started_at", "rows_done"])
    return job


def _progress_file(job):
    return f"{settings.JOB_FILES_PREFIX}/{job.pk}.progress.json"


def progress(job, done, total=None, phase=""):
    """Report rows done (of total); visible to the status page at once, also inside a transaction."""
    job.rows_done = done
    if total is not None:
        job.rows_total = total
    if phase:
        job.result = {**job.result, "phase": phase}
    if connection.in_atomic_block:
        data = json.dumps({"done": done, "total": job.rows_total, "phase": job.result.get("phase", "")})
        name = _progress_file(job)
        default_storage.delete(name)
        default_storage.save(name, ContentFile(data.encode()))
        return
    BackgroundJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=job.rows_total, result=job.result)


def live_progress(job):
    """(done, total, phase) of a job, from its progress file while it writes inside its transaction."""
    done, total, phase = job.rows_done, job.rows_total, job.result.get("phase", "")
    if not job.is_finished and default_storage.exists(_progress_file(job)):
        try:
            with default_storage.open(_progress_file(job), "rb") as handle:
                data = json.loads(handle.read() or b"{}")
            done, total, phase = data.get("done", done), data.get("total", total), data.get("phase", phase)
        except (OSError, ValueError):
            pass
    return done, total, phase


def finish(job, result, *, export_file=""):
    job.status = JobStatus.DONE
    job.result = result
    job.finished_at = timezone.now()
    job.export_file = export_file or job.export_file
    if job.rows_total is None:
        job.rows_total = job.rows_done
    job.save()
    default_storage.delete(_progress_file(job))
    return job


def fail(job, messages):
    messages = list(messages)
    job.status = JobStatus.FAILED
    job.result = {"errors": messages[:MAX_STORED_ERRORS], "error_count": len(messages)}
    job.finished_at = timezone.now()
    job.save()
    default_storage.delete(_progress_file(job))
    return job


def discard_upload(job):
    if job.upload_file:
        default_storage.delete(job.upload_file)


def remove_old_job_files(cutoff):
    """Delete the uploads and exports of jobs created before `cutoff`; returns how many files.

    A job still queued or running by then lost its worker (killed, restarted): it is marked failed, and
    since it wrote in one transaction nothing of it was kept.
    """
    BackgroundJob.objects.filter(created_at__lt=cutoff, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED,
        result={"errors": [FAILED_UNEXPECTEDLY], "error_count": 1},
        finished_at=timezone.now(),
    )
    removed = 0
    for job in BackgroundJob.objects.filter(created_at__lt=cutoff).exclude(upload_file="", export_file=""):
        for name in (job.upload_file, job.export_file, _progress_file(job)):
            if name and default_storage.exists(name):
                default_storage.delete(name)
                removed += 1
        BackgroundJob.objects.filter(pk=job.pk).update(upload_file="", export_file="")
    if removed:
        logger.info("已删除 %s 个超过保留期限的后台任务文件。", removed)
    return removed
