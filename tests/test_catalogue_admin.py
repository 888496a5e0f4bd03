"""The catalogue in the admin: unit editors, review before publishing, completeness report, 附件1 upload."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from daiban.catalogue_review import ensure_catalogue_review
from daiban.models import (
    BackgroundJob,
    JobKind,
    JobStatus,
    MatterListPage,
    MatterMaterial,
    MatterPage,
    MatterQuestion,
    RegionLevel,
    Unit,
)
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, GUIDE_EDITOR, WINDOW_STAFF
from tests.factories import UnitFactory, UserFactory, city, county, matter, matter_list, staff_user
from tests.matters_xlsx import workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def review_workflow():
    from django.apps import apps

    return ensure_catalogue_review(apps)


@pytest.fixture
def units():
    zizhong = county("资中县")
    return {
        "rsj": UnitFactory(name="资中县人力资源和社会保障局", region=zizhong),
        "gjj": UnitFactory(name="资中县住房公积金管理中心", region=zizhong),
    }


@pytest.fixture
def matters(units):
    county_list = matter_list(RegionLevel.COUNTY, region=county("资中县"))
    return {
        "own": matter("失业保险金申领", unit=units["rsj"], list_page=county_list, promised_days=5),
        "other": matter("住房公积金提取", unit=units["gjj"], list_page=county_list, promised_days=3),
    }


@pytest.fixture
def editor(units):
    return staff_user(GUIDE_EDITOR, unit=units["rsj"], username="rsj_editor")


@pytest.fixture
def reviewer():
    return staff_user(CITY_GUIDANCE, region=city(), username="reviewer")


def refused(response):
    """Refused by our hooks (403 with the reason) or by Wagtail's own permission check (back to the dashboard)."""
    return response.status_code == 403 or (response.status_code == 302 and response.url == "/admin/")


def edit_url(page):
    return f"/admin/pages/{page.pk}/edit/"


def form_data(client, page, **changes):
    """The edit form as the browser would send it, read from the page as a superuser sees it."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    data = querydict_from_html(client.get(edit_url(page)).content.decode(), form_id="page-edit-form").copy()
    client.logout()
    data.setdefault("process-count", "0")  # the stream field's inputs are rendered by JavaScript
    for name, value in changes.items():
        data[name] = value
    return data


# --- who edits what --------------------------------------------------------------------------


def test_unit_editor_cannot_open_or_save_another_units_matter(client, matters, editor):
    other = matters["other"]
    data = form_data(client, other, title="被改的标题", promised_days="1")
    client.force_login(editor)

    response = client.get(edit_url(other))
    assert response.status_code == 403
    assert "您只能编辑本单位的帮办代办事项。" in response.content.decode()

    response = client.post(edit_url(other), data)
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title == "住房公积金提取" and other.promised_days == 3
    assert not other.revisions.exists()


def test_unit_editor_can_edit_their_own_units_matter_but_not_move_it_to_another_unit(client, matters, editor, units):
    own = matters["own"]
    assert client.get(edit_url(own)).status_code == 302  # not logged in
    client.force_login(editor)
    response = client.get(edit_url(own))
    assert response.status_code == 200
    unit_field = response.context["form"].fields["unit"]
    assert list(unit_field.queryset) == [units["rsj"]]

    data = form_data(client, own, unit=str(units["gjj"].pk))
    client.force_login(editor)
    assert client.post(edit_url(own), data).status_code == 403
    own.refresh_from_db()
    assert own.unit == units["rsj"]


def test_unit_editor_cannot_create_a_matter_for_another_unit(client, matters, editor, units):
    list_page = matters["own"].get_parent()
    add_url = f"/admin/pages/add/daiban/matterpage/{list_page.pk}/"
    client.force_login(editor)
    response = client.get(add_url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form").copy()
    data["process-count"] = "0"
    data.update({"title": "偷偷新增的事项", "slug": "sneaky", "unit": str(units["gjj"].pk), "promised_days": "1"})
    assert client.post(add_url, data).status_code == 403
    assert not MatterPage.objects.filter(title="偷偷新增的事项").exists()

    data.update({"title": "本单位新增事项", "slug": "own-new", "unit": str(units["rsj"].pk)})
    assert client.post(add_url, data).status_code == 302
    created = MatterPage.objects.get(title="本单位新增事项")
    assert created.unit == units["rsj"] and not created.live


def test_unit_editor_cannot_delete_copy_or_unpublish_another_units_matter(client, matters, editor):
    other = matters["other"]
    client.force_login(editor)
    for url in [
        f"/admin/pages/{other.pk}/delete/",
        f"/admin/pages/{other.pk}/copy/",
        f"/admin/pages/{other.pk}/unpublish/",
    ]:
        assert refused(client.post(url, {"new_title": "x", "new_slug": "x", "new_parent_page": other.get_parent().pk}))
    assert Page.objects.filter(pk=other.pk, live=True).exists()
    assert MatterPage.objects.filter(title="住房公积金提取").count() == 1


def test_an_edit_is_not_public_until_the_guidance_office_approves_it(client, matters, editor, reviewer):
    own = matters["own"]
    data = form_data(client, own, title="失业保险金申领（修订）", promised_days="2")
    data["action-submit"] = "提交审核"
    client.force_login(editor)
    response = client.post(edit_url(own), data)
    assert response.status_code == 302

    own.refresh_from_db()
    assert own.title == "失业保险金申领" and own.promised_days == 5
    public = Client().get(own.url).content.decode()
    assert "失业保险金申领（修订）" not in public and "5个工作日" in public
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(own.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "审批指导科审核"

    # the editor cannot approve their own change, nor publish it directly
    task_state = state.current_task_state
    approve_url = f"/admin/pages/workflow/action/{own.pk}/approve/{task_state.pk}/"
    assert refused(client.post(approve_url, {}))
    own.refresh_from_db()
    assert own.title == "失业保险金申领"
    assert not own.permissions_for_user(editor).can_publish()

    client.force_login(reviewer)
    assert client.post(approve_url, {}).status_code in (200, 302)
    own.refresh_from_db()
    assert own.title == "失业保险金申领（修订）" and own.promised_days == 2
    assert "失业保险金申领（修订）" in Client().get(own.url).content.decode()


def test_withdrawn_matters_are_unpublished_not_deleted(client, matters, reviewer):
    other = matters["other"]
    client.force_login(reviewer)
    assert client.post(f"/admin/pages/{other.pk}/unpublish/").status_code == 302
    other.refresh_from_db()
    assert not other.live and MatterPage.objects.filter(pk=other.pk).exists()
    assert "住房公积金提取" not in Client().get(other.get_parent().url).content.decode()


# --- completeness report ---------------------------------------------------------------------


def complete(page):
    page.service_object = "自然人"
    page.handling_location = "资中县政务服务中心"
    page.handling_hours = "工作日"
    page.consult_phone = "0832-0000000"
    page.conditions = "<p>符合条件。</p>"
    page.process = [("step", {"name": "受理", "description": "", "handled_by": "", "time_limit": ""})]
    page.legal_basis = "<p>《社会保险法》</p>"
    page.intermediary = "<p>无</p>"
    page.materials.add(MatterMaterial(name="身份证"))
    page.questions.add(MatterQuestion(question="问", answer="答"))
    from tests.test_catalogue_pages import make_document

    for name in ("application_form", "commitment_form", "filling_instructions", "sample_text"):
        setattr(page, name, make_document(name))
    page.save_revision().publish()
    return page


def test_missing_elements_lists_what_a_guide_lacks(matters):
    page = matters["own"]
    assert page.missing_elements() == [
        "基本信息",
        "申请材料",
        "受理条件",
        "办理流程",
        "设定依据",
        "中介服务",
        "常见问题",
        "申请书",
        "告知承诺书",
        "填写说明",
        "示范文本",
    ]
    page.is_free = False
    assert "收费标准" in page.missing_elements()
    page.fee_details = "<p>按规定收取工本费。</p>"
    assert "收费标准" not in page.missing_elements()
    complete(page)
    page = MatterPage.objects.get(pk=page.pk)
    assert page.missing_elements() == [] and page.is_complete
    assert list(MatterPage.objects.incomplete()) == [matters["other"]]


def test_completeness_report_lists_incomplete_guides_with_deadline_and_overdue_flag(client, matters, reviewer):
    complete(matters["own"])
    list_page = matters["own"].get_parent().specific
    list_page.published_on = timezone.localdate() - datetime.timedelta(days=12)
    list_page.save_revision().publish()
    town_list = matter_list(RegionLevel.TOWN, region=county("东兴区").add_child(name="椑木镇", level="town"))
    matter("户口迁移", list_page=town_list)

    client.force_login(reviewer)
    response = client.get("/admin/catalogue/completeness/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "住房公积金提取" in html and "户口迁移" in html
    assert "失业保险金申领" not in html
    deadline = list_page.published_on + datetime.timedelta(days=10)
    rows = {m.title: m for m in response.context["object_list"]}
    assert rows["住房公积金提取"].deadline == deadline and rows["住房公积金提取"].overdue
    assert rows["户口迁移"].deadline is None and not rows["户口迁移"].overdue
    assert "已逾期" in html and "申请材料" in html

    by_level = client.get("/admin/catalogue/completeness/", {"level": RegionLevel.TOWN})
    assert [m.title for m in by_level.context["object_list"]] == ["户口迁移"]
    by_region = client.get("/admin/catalogue/completeness/", {"region": county("资中县").pk})
    assert [m.title for m in by_region.context["object_list"]] == ["住房公积金提取"]
    by_unit = client.get("/admin/catalogue/completeness/", {"unit": matters["other"].unit_id})
    assert [m.title for m in by_unit.context["object_list"]] == ["住房公积金提取"]
    overdue = client.get("/admin/catalogue/completeness/", {"overdue": "true"})
    assert [m.title for m in overdue.context["object_list"]] == ["住房公积金提取"]

    export = client.get("/admin/catalogue/completeness/", {"export": "xlsx"})
    assert export.status_code == 200


def test_completeness_report_is_scoped(client, matters, editor):
    county_bureau = staff_user(COUNTY_BUREAU, region=county("东兴区"))
    window = staff_user(WINDOW_STAFF, region=county("资中县"))
    client.force_login(editor)
    assert [m.title for m in client.get("/admin/catalogue/completeness/").context["object_list"]] == ["失业保险金申领"]
    client.force_login(county_bureau)
    assert list(client.get("/admin/catalogue/completeness/").context["object_list"]) == []
    client.force_login(window)
    assert client.get("/admin/catalogue/completeness/").status_code == 403


# --- 附件1 upload with preview ---------------------------------------------------------------


def upload(client, content, name="附件1.xlsx", draft=False, follow=False):
    data = {
        "file": SimpleUploadedFile(name, content),
        "region": county("资中县").pk,
        "level": RegionLevel.TOWN,
    }
    if draft:
        data["draft"] = "on"
    return client.post("/admin/catalogue/import/", data, follow=follow)


ROWS = [
    [1, "资中县人力资源和社会保障局", "失业保险金申领", "", "行政给付", "社会保险类", "即办", "帮办、代办", ""],
    [2, None, "就业创业证申领", "", "公共服务", "就业类", "5个工作日", "代办", ""],
]


def test_upload_shows_a_preview_and_imports_only_when_confirmed(client, units, reviewer):
    """Upload → reading job (its progress page) → preview → confirm → import job → result."""
    client.force_login(reviewer)
    assert client.get("/admin/catalogue/import/").status_code == 200
    response = upload(client, workbook_bytes(ROWS, merges=[("B", 0, 1)]))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:progress", args=[job.pk])
    assert (job.kind, job.status, job.rows_done) == (JobKind.MATTERS_PREVIEW, JobStatus.DONE, 2)
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["finished"] and status["next"] == f"/admin/catalogue/import/?job={job.pk}"

    preview = client.get(response.url, follow=True)
    html = preview.content.decode()
    assert "新增 2 项" in html and "就业创业证申领" in html and "将新建清单" in html
    assert not MatterListPage.objects.filter(level=RegionLevel.TOWN).exists()

    response = client.post("/admin/catalogue/import/", {"confirm": "1", "job": job.pk})
    imported = BackgroundJob.objects.get(kind=JobKind.MATTERS_IMPORT)
    assert response.url == reverse("jobs:progress", args=[imported.pk]) and imported.status == JobStatus.DONE
    list_page = MatterListPage.objects.get(level=RegionLevel.TOWN, region=county("资中县"))
    assert [m.title for m in MatterPage.objects.child_of(list_page).live()] == ["失业保险金申领", "就业创业证申领"]
    result = client.get(response.url, follow=True).content.decode()
    assert "导入完成（已发布）" in result and "新增 2 项" in result
    # The preview's file went to the import job: it cannot be confirmed twice.
    again = client.post("/admin/catalogue/import/", {"confirm": "1", "job": job.pk}, follow=True)
    assert "已确认导入" in again.content.decode() and BackgroundJob.objects.count() == 2


def test_upload_with_a_bad_row_lists_the_errors_and_imports_nothing(client, units, reviewer):
    rows = [list(row) for row in ROWS]
    rows[1][6] = "一周"
    client.force_login(reviewer)
    response = upload(client, workbook_bytes(rows, merges=[("B", 0, 1)]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 处错误，未导入任何内容" in html
    assert "第7行【承诺时限（G列）】：无法识别的承诺时限“一周”" in html
    assert BackgroundJob.objects.get().status == JobStatus.FAILED
    assert not MatterPage.objects.exists()
    assert "无法读取文件" in upload(client, b"junk", "x.xlsx", follow=True).content.decode()
    assert not Unit.objects.exclude(pk__in=[u.pk for u in units.values()]).exists()


def test_only_the_guidance_office_may_import(client, units, editor, reviewer):
    client.force_login(reviewer)
    upload(client, workbook_bytes(ROWS))
    job = BackgroundJob.objects.get()
    client.force_login(editor)
    assert client.get("/admin/catalogue/import/").status_code == 403
    assert upload(client, workbook_bytes(ROWS)).status_code == 403
    assert client.post("/admin/catalogue/import/", {"confirm": "1", "job": job.pk}).status_code == 403
    assert client.get(f"/admin/catalogue/import/?job={job.pk}").status_code == 403
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert not MatterPage.objects.exists() and BackgroundJob.objects.count() == 1
