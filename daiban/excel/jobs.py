"""The Excel work that runs as background jobs (django-tasks, run by `manage.py db_worker`).

The pages create a BackgroundJob (daiban.services.jobs) and queue one of these tasks with its id:

  - ledger_preview: read and check an uploaded 附件4 ledger (streaming, row cap), keep the preview;
  - ledger_import: import the confirmed ledger, all or nothing, in one transaction;
  - ledger_export: write a large 附件4 export (write_only) to the default storage for download;
  - matters_preview / matters_import: the 附件1 事项清单 (read and plan; carry out the plan);
  - liaisons_preview / liaisons_import: the 附件2 联络员登记表 (a dry run; the import).

An import job reads the kept upload again and checks it against the database as it is then, so what
changed between preview and confirm is not overwritten blindly.

A task never raises: a refusal (row errors, a hostile file) or a crash ends the job as failed with
its messages in Chinese, and since writing happens in one transaction nothing is left half done.
"""

import datetime
import logging
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django_tasks import task

from ..models import Region, Unit
from ..permissions import cases_visible_to, export_phone_for
from ..services import jobs
from ..services.catalogue import CatalogueError, apply_matter_import, plan_matter_import
from .common import ExcelFormatError, SheetError
from .ledger import ledger_cases, ledger_subtitle, write_ledger
from .ledger_import import import_ledger, preview_ledger
from .liaisons import import_liaisons
from .matters import read_matter_workbook

__all__ = [
    "ledger_preview",
    "ledger_import",
    "ledger_export",
    "matters_preview",
    "matters_import",
    "liaisons_preview",
    "liaisons_import",
    "PREVIEW_SAMPLE",
]

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
    except (ExcelFormatError, CatalogueError) as error:  # a hostile or unreadable file, no home page
        jobs.fail(job, [str(error)])
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


# --- 附件1 事项清单 ---------------------------------------------------------------------------


def _read_matters(job, report):
    region = Region.objects.get(pk=job.params["region"])
    with default_storage.open(job.upload_file, "rb") as handle:
        rows = read_matter_workbook(handle, progress=lambda done, total: report(done, total, phase="读取"))
    return plan_matter_import(rows, region, job.params["level"])


def _matter_data(item, new_units):
    row = item.row
    return {
        "sheet_row": row.sheet_row,
        "action": item.action,
        "unit": row.unit,
        "new_unit": row.unit in new_units,
        "title": row.title,
        "sub_item_name": row.sub_item_name,
        "matter_type": row.matter_type,
        "category": row.category,
        "promised": row.promised_label,
        "handling_form": row.handling_form_label,
        "note": row.note,
    }


@task()
def matters_preview(job_id):
    """Read an uploaded 附件1 and keep what importing it would do (nothing is written)."""

    def work(job, report):
        plan = _read_matters(job, report)
        report(len(plan.items), len(plan.items), phase="读取")
        return {
            "rows": len(plan.items),
            "summary": plan.summary,
            "list_title": f"{plan.region.name}{plan.level_label}清单",
            "level_label": plan.level_label,
            "new_list": plan.list_page is None,
            "sample": [_matter_data(item, plan.new_units) for item in plan.items[:PREVIEW_SAMPLE]],
            "not_in_file": [f"{page.unit.name} {page.title}" for page in plan.not_in_file[:PREVIEW_SAMPLE]],
            "not_in_file_count": len(plan.not_in_file),
        }

    return _run(job_id, work)


@task()
def matters_import(job_id):
    """Import the confirmed 附件1, all or nothing (services.catalogue.apply_matter_import, one transaction)."""

    def work(job, report):
        plan = _read_matters(job, report)
        result = apply_matter_import(
            plan,
            publish=not job.params.get("draft"),
            user=job.user,
            progress=lambda done, total: report(done, total, phase="导入"),
        )
        jobs.discard_upload(job)
        return {
            "rows": len(plan.items),
            "summary": plan.summary,
            "list_page": result.list_page.pk,
            "list_title": result.list_page.title,
            "published": result.published,
        }

    return _run(job_id, work)


# --- 附件2 联络员登记表 -----------------------------------------------------------------------


def _liaisons(job, report, *, dry_run):
    within = Region.objects.get(pk=job.params["within"]) if job.params.get("within") else None
    with default_storage.open(job.upload_file, "rb") as handle:
        result = import_liaisons(
            handle,
            within=within,
            dry_run=dry_run,
            progress=lambda done, total: report(done, total, phase="检查" if dry_run else "导入"),
        )
    if result.errors:  # nothing was saved (import_liaison_rows rolls back)
        raise SheetError(result.errors, result.sheet)
    return result


@task()
def liaisons_preview(job_id):
    """Check an uploaded 附件2 as a dry run and keep what importing it would do (nothing is written)."""

    def work(job, report):
        result = _liaisons(job, report, dry_run=True)
        return {
            "rows": len(result.actions),
            "summary": result.summary,
            "sample": [
                {
                    "row": item.row,
                    "region": item.region,
                    "organisation": item.organisation,
                    "name": item.name,
                    "action": item.action,
                }
                for item in result.actions[:PREVIEW_SAMPLE]
            ],
        }

    return _run(job_id, work)


@task()
def liaisons_import(job_id):
    """Import the confirmed 附件2, all or nothing (one transaction)."""

    def work(job, report):
        result = _liaisons(job, report, dry_run=False)
        jobs.discard_upload(job)
        return {"rows": len(result.actions), "summary": result.summary}

    return _run(job_id, work)
