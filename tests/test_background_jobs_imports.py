"""The 附件1 事项清单 and 附件2 联络员 imports as background jobs, through the admin: who may follow a job,
and a job that breaks half way (a crash, a killed worker) leaves nothing of itself behind."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from daiban.catalogue_review import ensure_catalogue_review
from daiban.models import BackgroundJob, JobKind, JobStatus, Liaison, MatterListPage, MatterPage, RegionLevel, Unit
from daiban.services import catalogue, jobs, liaisons
from tests.factories import county
from tests.matters_xlsx import workbook_bytes
from tests.results_setup import city_staff, supervisor, window, window_clerk
from tests.test_liaisons_excel import GOOD_ROWS, sheet, zizhong_region

pytestmark = pytest.mark.django_db

MATTERS = [
    [1, "资中县人力资源和社会保障局", "失业保险金申领", "", "行政给付", "社会保险类", "即办", "帮办、代办", ""],
    [2, "资中县人力资源和社会保障局", "就业创业证申领", "", "公共服务", "就业类", "5个工作日", "代办", ""],
    [3, "资中县新设服务中心", "社保卡补办", "", "公共服务", "社会保险类", "即办", "代办", ""],
]
MATTERS_URL = "/admin/catalogue/import/"
LIAISONS_URL = "/admin/org/liaisons/import/"


@pytest.fixture(autouse=True)
def review_workflow():
    from django.apps import apps

    return ensure_catalogue_review(apps)


@pytest.fixture
def zizhong():
    return zizhong_region()


def upload_matters(client, region, content=None):
    data = {
        "file": SimpleUploadedFile("附件1.xlsx", content or workbook_bytes(MATTERS)),
        "region": region.pk,
        "level": RegionLevel.COUNTY,
    }
    return client.post(MATTERS_URL, data)


def counts():
    return (MatterListPage.objects.count(), MatterPage.objects.count(), Unit.objects.count(), Liaison.objects.count())


def test_a_matters_job_is_followed_by_its_scope_and_404_for_anyone_else(client, zizhong):
    guidance = city_staff(username="guidance")
    client.force_login(guidance)
    upload_matters(client, zizhong)
    job = BackgroundJob.objects.get()
    assert (job.kind, job.region, job.user) == (JobKind.MATTERS_PREVIEW, zizhong, guidance)
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["status"] == "done" and status["rows_done"] == 3 and status["next"] == f"{MATTERS_URL}?job={job.pk}"

    _unit, other_centre = window("隆昌市行政审批局", region=county("隆昌市"))
    for outsider in (window_clerk(other_centre), supervisor(county("威远县"))):
        client.force_login(outsider)
        for url in (reverse("jobs:progress", args=[job.pk]), reverse("jobs:status", args=[job.pk])):
            assert client.get(url).status_code == 404, (outsider, url)
        assert client.get(f"{MATTERS_URL}?job={job.pk}").status_code in (403, 404)
        assert client.post(MATTERS_URL, {"confirm": "1", "job": job.pk}).status_code in (403, 404)
    # The county bureau of the region the list is for follows the job; another 审批指导科 member may confirm.
    client.force_login(supervisor(zizhong))
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 200
    client.force_login(city_staff(username="guidance2"))
    assert client.get(f"{MATTERS_URL}?job=abc").status_code == 404
    assert client.get(f"{MATTERS_URL}?job={job.pk + 99}").status_code == 404
    assert counts()[:2] == (0, 0)
    client.post(MATTERS_URL, {"confirm": "1", "job": job.pk})
    assert MatterPage.objects.count() == 3


def test_a_matters_import_that_breaks_half_way_changes_nothing(client, zizhong, monkeypatch):
    client.force_login(city_staff())
    upload_matters(client, zizhong)
    preview = BackgroundJob.objects.get()
    page = client.get(f"{MATTERS_URL}?job={preview.pk}").content.decode()
    assert "新增 3 项" in page and "新建单位 1 个（资中县新设服务中心）" in page
    before = counts()
    created = []
    original = catalogue._create_matter

    def crash_on_the_second(*args, **kwargs):
        if created:
            raise RuntimeError("worker killed")
        created.append(original(*args, **kwargs))

    monkeypatch.setattr(catalogue, "_create_matter", crash_on_the_second)
    response = client.post(MATTERS_URL, {"confirm": "1", "job": preview.pk}, follow=True)
    job = BackgroundJob.objects.get(kind=JobKind.MATTERS_IMPORT)
    assert len(created) == 1 and job.status == JobStatus.FAILED
    assert jobs.FAILED_UNEXPECTEDLY in response.content.decode()
    assert counts() == before and not MatterListPage.objects.exists()
    assert not default_storage.exists(jobs._progress_file(job))


def test_a_liaisons_import_that_breaks_half_way_changes_nothing(client, zizhong, monkeypatch):
    client.force_login(supervisor(zizhong))
    client.post(LIAISONS_URL, {"file": SimpleUploadedFile("附件2.xlsx", sheet(GOOD_ROWS))})
    preview = BackgroundJob.objects.get()
    assert preview.status == JobStatus.DONE and preview.result["rows"] == 4
    before = counts()
    original = liaisons._Importer.save

    def crash_on_the_third(importer, row, *args):
        if len(importer.result.actions) == 2:
            raise RuntimeError("worker killed")
        return original(importer, row, *args)

    monkeypatch.setattr(liaisons._Importer, "save", crash_on_the_third)
    page = client.post(LIAISONS_URL, {"confirm": "1", "job": preview.pk}, follow=True).content.decode()
    job = BackgroundJob.objects.get(kind=JobKind.LIAISONS_IMPORT)
    assert job.status == JobStatus.FAILED and jobs.FAILED_UNEXPECTEDLY in page
    assert counts() == before and Liaison.objects.count() == 0


def test_a_liaisons_preview_of_the_whole_city_is_not_shown_to_a_county(client, zizhong):
    client.force_login(city_staff())
    client.post(LIAISONS_URL, {"file": SimpleUploadedFile("附件2.xlsx", sheet(GOOD_ROWS))})
    job = BackgroundJob.objects.get()
    assert job.region is None and job.params["within"] is None
    client.force_login(supervisor(zizhong))
    assert client.get(f"{LIAISONS_URL}?job={job.pk}").status_code == 404
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert client.post(LIAISONS_URL, {"confirm": "1", "job": job.pk}).status_code == 404
    assert Liaison.objects.count() == 0
