"""The Excel work that runs as background jobs (django-tasks, run by `manage.py db_worker`).

The pages create a BackgroundJob (daiban.services.jobs) and queue one of these tasks with its id:

  - ledger_preview: read and check an uploaded 附件4 ledger (streaming, row cap), keep the preview;
  - ledger_import: import the confirmed ledger, all or nothing, in one transaction;
  - ledger_export: write a large 附件4 export (write_only) to the default storage for download.

A task never raises: a refusal (row errors, a hostile file) or a crash ends the job as failed with
its messages in Chinese, and since writing happens in one transaction nothing is left half done.
"""

import datetime
import logging
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django_tasks import task

from ..models import Unit
from ..permissions import cases_visible_to, export_phone_for
from ..services import jobs
from .common import SheetError
from .ledger import ledger_cases, ledger_subtitle, write_ledger
from .ledger_import import import_ledger, preview_ledger

__all__ = ["ledger_preview", "ledger_import", "ledger_export", "PREVIEW_SAMPLE"]

logger = logging.getLogger("daiban.jobs")

PREVIEW_SAMPLE = 200  # rows shown on the preview page


def _run(job_id, work):
    job = jobs.begin(job_id)

    def report(done, total=None, phase=""):
        jobs.progress(job, done, total, phase)

    try:
        result = work(job, report)
    except SheetError as error:
        jobs.fail(job, error.messages())
    except Exception:
        logger.exception("后台任务 %s 失败", job_id)
        jobs.fail(job, [jobs.FAILED_UNEXPECTEDLY])
    else:
        if isinstance(result, tuple):
            result, export_file = result
            jobs.finish(job, result, export_file=export_file)
        else:
            jobs.finish(job, result)
    return job.status


def _row_data(row, existing_keys):
    return {
        "sheet_row": row.sheet_row,
        "accepted_on": row.accepted_on.isoformat(),
        "applicant": row.applicant_name,
        "matter": row.matter_name,
        "in_catalogue": row.matter is not None,
        "flows": [
            f"{line.unit_name or '（未注明单位）'}："
            f"{line.accepted_on.isoformat() if line.accepted_on else '—'} → "
            f"{line.completed_on.isoformat() if line.completed_on else '未办结'}"
            for line in row.flows
        ],
        "status": row.status_label,
        "level": row.level_label,
        "duplicate": row.key in existing_keys,
    }


@task()
def ledger_preview(job_id):
    def work(job, report):
        unit = Unit.objects.select_related("region").get(pk=job.params["unit"])
        with default_storage.open(job.upload_file, "rb") as handle:
            preview = preview_ledger(handle, unit, progress=report)
        report(len(preview.rows), len(preview.rows), phase="读取")
        return {
            "rows": len(preview.rows),
            "new": len(preview.new_rows),
            "duplicates": len(preview.duplicate_rows),
            "warnings": preview.warnings,
            "sample": [_row_data(row, preview.existing_keys) for row in preview.rows[:PREVIEW_SAMPLE]],
        }

    return _run(job_id, work)


@task()
def ledger_import(job_id):
    def work(job, report):
        unit = Unit.objects.select_related("region").get(pk=job.params["unit"])
        with default_storage.open(job.upload_file, "rb") as handle:
            result = import_ledger(handle, unit, job.user, source=job.upload_name, progress=report)
        jobs.discard_upload(job)
        return {"new": len(result.new_rows), "duplicates": len(result.duplicate_rows), "warnings": result.warnings}

    return _run(job_id, work)


@task()
def ledger_export(job_id):
    def work(job, report):
        params = job.params
        unit = Unit.objects.filter(pk=params.get("unit")).first() if params.get("unit") else None
        start = datetime.date.fromisoformat(params["start"]) if params.get("start") else None
        end = datetime.date.fromisoformat(params["end"]) if params.get("end") else None
        cases = ledger_cases(cases_visible_to(job.user), unit=unit, start=start, end=end)
        total = cases.count()
        report(0, total, phase="导出")
        with tempfile.TemporaryFile() as handle:
            write_ledger(
                cases,
                handle,
                ledger_subtitle(unit, start, end),
                contact_phone=export_phone_for(job.user),
                progress=lambda done: report(done, total),
            )
            handle.seek(0)
            name = default_storage.save(jobs.job_file_name(".xlsx"), File(handle))
        report(total, total)
        return {"rows": total}, name

    return _run(job_id, work)
