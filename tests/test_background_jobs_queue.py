"""Background jobs on the real queue: the request only queues, `db_worker` reads and then imports."""

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from daiban.models import BackgroundJob, Case, JobKind, JobStatus
from tests.factories import UnitFactory, matter
from tests.ledger_files import MATTER, ROWS, UNIT, quirky_ledger
from tests.results_setup import window, window_clerk
from tests.test_outbox_jobs import DATABASE_QUEUE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_with_the_real_queue_the_upload_only_queues_and_db_worker_reads_then_imports(client):
    """The database queue and `db_worker`: the request returns a progress page at once, the worker does the work."""
    unit, centre = window()
    matter(title=MATTER, unit=UnitFactory(name=UNIT, region=unit.region))
    client.force_login(window_clerk(centre))

    def work():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=StringIO())

    with override_settings(TASKS=DATABASE_QUEUE):
        response = client.post(
            reverse("reports:ledger_import"),
            {"unit": unit.pk, "file": SimpleUploadedFile("台账.xlsx", quirky_ledger().getvalue())},
        )
        job = BackgroundJob.objects.get()
        assert response.url == reverse("jobs:progress", args=[job.pk]) and job.status == JobStatus.QUEUED
        page = client.get(response.url).content.decode()
        assert "排队中" in page and "<progress" in page
        assert DBTaskResult.objects.filter(task_path="daiban.excel.jobs.ledger_preview").count() == 1
        work()
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.result["new"] == len(ROWS)
        assert (
            client.get(reverse("jobs:progress", args=[job.pk])).url
            == f"{reverse('reports:ledger_import')}?job={job.pk}"
        )
        client.post(reverse("reports:ledger_import"), {"confirm": "1", "job": job.pk})
        assert Case.objects.count() == 0  # queued, not yet run
        work()
    imported = BackgroundJob.objects.get(kind=JobKind.LEDGER_IMPORT)
    assert imported.status == JobStatus.DONE and imported.rows_done == len(ROWS)
    assert Case.objects.count() == len(ROWS)
    assert not default_storage.exists(imported.upload_file)
