"""Chromium: a 附件1 事项清单 upload runs as a job on the database queue; the progress page's bar follows
it (script polling the status URL) to the preview, and the confirmed import to the result."""

import pytest
from django.test import override_settings

from daiban.catalogue_review import ensure_catalogue_review
from daiban.models import MatterPage, RegionLevel
from tests.browser.conftest import admin_login
from tests.browser.test_admin_ledger_job import run_worker, upload_through_the_progress_bar
from tests.factories import UnitFactory, UserFactory, county, home_page
from tests.matters_xlsx import workbook_bytes
from tests.test_outbox_jobs import DATABASE_QUEUE

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

ROWS = [
    [1, "资中县人力资源和社会保障局", "失业保险金申领", "", "行政给付", "社会保险类", "即办", "帮办、代办", ""],
    [2, None, "就业创业证申领", "", "公共服务", "就业类", "5个工作日", "代办", ""],
]


def test_matters_upload_shows_the_progress_bar_then_the_preview_and_the_result(page, screenshot, tmp_path):
    from django.apps import apps

    ensure_catalogue_review(apps)
    home_page()
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    region = county("资中县")
    UnitFactory(name="资中县人力资源和社会保障局", region=region)
    path = tmp_path / "资中县事项清单.xlsx"
    path.write_bytes(workbook_bytes(ROWS, merges=[("B", 0, 1)]))

    with override_settings(TASKS=DATABASE_QUEUE):
        admin_login(page, "admin", "pass-word-123")
        page.goto(page.url.split("/admin/")[0] + "/admin/catalogue/import/")
        page.get_by_label("附件1 文件（.xlsx）").set_input_files(str(path))
        page.get_by_label("区域").select_option(str(region.pk))
        page.get_by_label("清单层级").select_option(RegionLevel.COUNTY)
        upload_through_the_progress_bar(page, screenshot, "上传并预览", "**/admin/catalogue/import/?job=*")
        assert page.get_by_text("新增 2 项").first.is_visible()
        assert page.get_by_role("cell", name="就业创业证申领").is_visible()
        screenshot("preview")

        page.get_by_role("button", name="确认导入").click()
        page.wait_for_url("**/admin/jobs/*/")
        run_worker()
        page.wait_for_url("**/admin/catalogue/import/?job=*", timeout=15_000)
        assert page.get_by_text("导入完成（已发布）").is_visible()
        assert page.get_by_role("link", name="查看清单").is_visible()
        screenshot("result")
    assert MatterPage.objects.live().count() == 2
