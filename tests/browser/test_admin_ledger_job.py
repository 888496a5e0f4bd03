"""Chromium: a historical ledger upload runs as a job on the database queue; the progress page's bar
follows it (script polling the status URL) to the preview, and the confirmed import to the result."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from daiban.models import Case
from tests.browser.conftest import admin_login
from tests.factories import UnitFactory, UserFactory, matter
from tests.ledger_files import MATTER, ROWS, UNIT, quirky_ledger
from tests.results_setup import window
from tests.test_outbox_jobs import DATABASE_QUEUE

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=StringIO())


def upload_through_the_progress_bar(page, screenshot, button, result_url):
    """Click `button`; the progress page shows the labelled bar of the queued job and a reload link; once
    the worker has run, the page's script opens `result_url` (a glob)."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/admin/jobs/*/")
    bar = page.get_by_label("已处理")
    assert bar.is_visible() and page.get_by_text("排队中").is_visible()
    assert page.get_by_role("link", name="刷新进度").is_visible()
    screenshot("queued")
    run_worker()  # the page's script sees the job finish and opens the result page
    page.wait_for_url(result_url, timeout=15_000)


def test_ledger_upload_shows_the_progress_bar_then_the_preview_and_the_result(page, screenshot, tmp_path):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    unit, _centre = window()
    matter(title=MATTER, unit=UnitFactory(name=UNIT, region=unit.region))
    path = tmp_path / "资中县2025年台账.xlsx"
    path.write_bytes(quirky_ledger().getvalue())

    with override_settings(TASKS=DATABASE_QUEUE):
        admin_login(page, "admin", "pass-word-123")
        page.goto(page.url.split("/admin/")[0] + "/admin/reports/ledger/import/")
        page.get_by_label("台账所属窗口单位").select_option(str(unit.pk))
        page.get_by_label("台账文件（.xlsx）").set_input_files(str(path))
        upload_through_the_progress_bar(page, screenshot, "上传并预览", "**/admin/reports/ledger/import/?job=*")
        assert page.get_by_text(f"将新建 {len(ROWS)} 件").is_visible()
        screenshot("preview")

        page.get_by_role("button", name=f"确认导入 {len(ROWS)} 件").click()
        page.wait_for_url("**/admin/jobs/*/")
        run_worker()
        page.wait_for_url("**/admin/reports/ledger/import/?job=*", timeout=15_000)
        assert page.get_by_text(f"已导入{len(ROWS)}件历史办件").is_visible()
        screenshot("result")
    assert Case.objects.count() == len(ROWS)
