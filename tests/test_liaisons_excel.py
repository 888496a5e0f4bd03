"""附件2 in Excel: export layout, import with row-level errors, all-or-nothing, re-import without duplicates."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from daiban.excel.liaisons import EXTRA_HEADERS, HEADERS, TITLE, import_liaisons
from daiban.models import BackgroundJob, JobKind, JobStatus, Liaison, LiaisonPost, RegionLevel, Unit
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF
from tests.factories import CentreFactory, LiaisonFactory, UnitFactory, city, county, make_region, staff_user

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet(rows, headers=HEADERS + EXTRA_HEADERS, title_rows=(TITLE, "填报单位：（盖章）")):
    """A filled-in 附件2 as people send it: title rows, a blank row, the header, the rows."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "附件2"
    for text in title_rows:
        ws.append([text])
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row or [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def zizhong():
    return zizhong_region()


def zizhong_region():
    """资中县 with 水南镇, its 人社局 and its 政务服务中心."""
    region = county("资中县")
    make_region("水南镇", RegionLevel.TOWN, parent=region)
    UnitFactory(name="资中县人力资源和社会保障局", region=region)
    CentreFactory(name="资中县政务服务中心", region=region)
    return region


GOOD_ROWS = [
    [1, "资中县", "资中县人力资源和社会保障局", "张演示", "科长", "13800000001", "", "A岗", "是", "是"],
    [2, "资中县\u3000", " 资中县人力资源和社会保障局 ", "李示例", "科员", "138 0000 0002", "", "B岗", "否", "是"],
    None,
    [3, "资中县", "资中县政务服务中心帮办代办窗口", "王测试", "窗口负责人", "0832-1234567", "", "A岗", "是", "是"],
    [4, "水南镇", "资中县水南镇人民政府", "赵样例", "副镇长", "13800000004", "", "A岗", "是", "是"],
]


# --- export --------------------------------------------------------------------------------


STAFF_SHEET = "帮办代办员名单"


def reopen(content, sheet="附件2"):
    return list(load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def test_export_reopens_with_the_attachment_2_layout(client):
    liaison = LiaisonFactory(name="张演示", phone="13800000012", post=LiaisonPost.B, is_designated=True, note="=1+1")
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    response = client.get(reverse(Liaison.snippet_viewset.get_url_name("export")))
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = reopen(response.content)
    assert rows[0][0] == TITLE
    header = rows.index(tuple(HEADERS))
    assert list(rows[header][:7]) == ["序号", "地区", "单位名称", "姓名", "职务", "联系电话", "备注"]
    full_region = liaison.region.full_name  # 附件2 names the region in full (issue 14)
    assert rows[header + 1] == (1, full_region, liaison.unit.name, "张演示", "科员", "13800000012", "'=1+1")
    staff = reopen(response.content, STAFF_SHEET)
    header = staff.index(tuple(HEADERS + EXTRA_HEADERS))
    assert staff[header + 1] == (
        1,
        full_region,
        liaison.unit.name,
        "张演示",
        "科员",
        "13800000012",
        "'=1+1",
        "B岗",
        "是",
        "是",
    )


def test_export_follows_the_users_scope_and_filters(client):
    LiaisonFactory(name="张演示", unit=UnitFactory(region=county("资中县")), post=LiaisonPost.A)
    LiaisonFactory(name="李示例", unit=UnitFactory(region=county("资中县")), post=LiaisonPost.B)
    LiaisonFactory(name="王测试", unit=UnitFactory(region=county("东兴区")))
    client.force_login(staff_user(COUNTY_BUREAU, region=county("资中县")))
    export_url = reverse(Liaison.snippet_viewset.get_url_name("export"))
    names = {row[3] for row in reopen(client.get(export_url).content, STAFF_SHEET)[3:]}
    assert names == {"张演示", "李示例"}
    names = {row[3] for row in reopen(client.get(export_url, {"post": "B"}).content, STAFF_SHEET)[3:]}
    assert names == {"李示例"}


def test_listing_has_export_and_import_buttons(client):
    client.force_login(staff_user(COUNTY_BUREAU, region=county()))
    html = client.get(reverse(Liaison.snippet_viewset.get_url_name("list"))).content.decode()
    assert "导出附件2" in html and "导入附件2" in html


def test_export_command_writes_a_region_subtree(tmp_path):
    LiaisonFactory(name="张演示", unit=UnitFactory(region=county("资中县")))
    LiaisonFactory(name="王测试", unit=UnitFactory(region=county("东兴区")))
    out = tmp_path / "附件2.xlsx"
    call_command("export_liaisons", out=str(out), region="资中县", stdout=io.StringIO())
    names = [row[3] for row in reopen(out.read_bytes(), STAFF_SHEET)[3:]]
    assert names == ["张演示"]


# --- import --------------------------------------------------------------------------------


def test_import_tolerates_title_rows_blank_rows_and_full_width_spaces(zizhong):
    result = import_liaisons(io.BytesIO(sheet(GOOD_ROWS)))
    assert not result.errors, result.errors.messages()
    assert result.count("新增") == 4
    assert Liaison.objects.count() == 4
    li = Liaison.objects.get(name="李示例")
    assert (li.region, li.unit.name, li.phone, li.post) == (zizhong, "资中县人力资源和社会保障局", "13800000002", "B")
    window = Liaison.objects.get(name="王测试")
    assert window.centre.name == "资中县政务服务中心" and window.unit is None and window.is_designated


def test_import_creates_a_missing_unit_and_reports_it(zizhong):
    result = import_liaisons(io.BytesIO(sheet(GOOD_ROWS)))
    assert Unit.objects.filter(name="资中县水南镇人民政府", region__name="水南镇").exists()
    assert result.new_units == ["水南镇 资中县水南镇人民政府"]
    assert "新建单位1个" in result.summary


def test_import_with_a_bad_row_imports_nothing_and_names_the_row(zizhong):
    rows = [*GOOD_ROWS, [5, "资中县", "资中县人力资源和社会保障局", "钱错误", "科员", "", "", "C岗", "是", "是"]]
    result = import_liaisons(io.BytesIO(sheet(rows)))
    # 2 title rows, a blank row and the header: GOOD_ROWS fill rows 5-9 (one blank), the bad row is row 10
    errors = {(error.row, error.column) for error in result.errors}
    assert errors == {(10, "联系电话"), (10, "岗位")}
    assert "第10行【联系电话】：联系电话不能为空" in result.errors.messages()
    assert Liaison.objects.count() == 0
    assert not Unit.objects.filter(name="资中县水南镇人民政府").exists()


def test_reimport_updates_instead_of_duplicating(zizhong):
    import_liaisons(io.BytesIO(sheet(GOOD_ROWS)))
    changed = [list(row) if row else None for row in GOOD_ROWS]
    changed[0][5] = "13800000099"
    result = import_liaisons(io.BytesIO(sheet(changed)))
    assert (result.count("新增"), result.count("更新"), result.count("无变化")) == (0, 1, 3)
    assert Liaison.objects.count() == 4
    assert Unit.objects.filter(name="资中县水南镇人民政府").count() == 1
    assert Liaison.objects.get(name="张演示").phone == "13800000099"


def test_exported_sheet_imports_back_unchanged(zizhong, client):
    import_liaisons(io.BytesIO(sheet(GOOD_ROWS)))
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    exported = client.get(reverse(Liaison.snippet_viewset.get_url_name("export"))).content
    result = import_liaisons(io.BytesIO(exported))
    assert not result.errors
    assert result.count("无变化") == 4


def test_sheet_with_only_the_official_columns_reads_post_and_liaison_from_the_note(zizhong):
    rows = [[1, "资中县", "资中县人力资源和社会保障局", "孙演示", "科员", "13800000005", "B岗、联络员"]]
    result = import_liaisons(io.BytesIO(sheet(rows, headers=HEADERS)))
    assert not result.errors
    liaison = Liaison.objects.get(name="孙演示")
    assert liaison.post == LiaisonPost.B and liaison.is_designated


def test_unknown_and_ambiguous_regions_are_row_errors(zizhong):
    make_region("水南镇", RegionLevel.TOWN, parent=county("威远县"))
    rows = [
        [1, "火星县", "某局", "张演示", "科员", "13800000001", "", "A岗", "是", "是"],
        [2, "水南镇", "某局", "李示例", "科员", "13800000002", "", "A岗", "是", "是"],
        [3, "资中县水南镇", "某局", "王测试", "科员", "13800000003", "", "A岗", "是", "是"],
    ]
    result = import_liaisons(io.BytesIO(sheet(rows)))
    messages = result.errors.messages()
    assert messages[0] == "第5行【地区】：找不到地区“火星县”"
    assert messages[1].startswith("第6行【地区】：地区“水南镇”有多个同名区域")
    assert len(messages) == 2  # the full name is understood
    assert Liaison.objects.count() == 0


def test_duplicate_rows_in_one_sheet_are_refused(zizhong):
    result = import_liaisons(io.BytesIO(sheet([GOOD_ROWS[0], GOOD_ROWS[0]])))
    assert result.errors.messages() == ["第6行【姓名】：与第5行重复（同一地区、单位和姓名）"]


def test_not_a_workbook_is_a_clear_error():
    result = import_liaisons(io.BytesIO(b"not a spreadsheet"))
    assert result.errors.messages() == ["文件：无法读取文件：请上传 Excel 工作簿（.xlsx 格式）。"]


def test_import_command_refuses_a_bad_sheet_and_names_the_row(zizhong, tmp_path):
    path = tmp_path / "附件2.xlsx"
    path.write_bytes(sheet([[1, "资中县", "资中县人力资源和社会保障局", "", "科员", "13800000001", "", "", "", ""]]))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_liaisons", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "第5行【姓名】：姓名不能为空" in stderr.getvalue()


def test_import_command_dry_run_writes_nothing(zizhong, tmp_path):
    path = tmp_path / "附件2.xlsx"
    path.write_bytes(sheet(GOOD_ROWS))
    out = io.StringIO()
    call_command("import_liaisons", str(path), dry_run=True, stdout=out)
    assert "将新增4人" in out.getvalue()
    assert Liaison.objects.count() == 0
    call_command("import_liaisons", str(path), stdout=out)
    assert Liaison.objects.count() == 4


# --- admin upload --------------------------------------------------------------------------


def upload(content, name="附件2.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_admin_import_previews_then_imports_on_confirm(client, zizhong):
    """Upload → checking job (progress page) → preview → confirm → import job → result."""
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    import_url = reverse(Liaison.snippet_viewset.get_url_name("import"))
    response = client.post(import_url, {"file": upload(sheet(GOOD_ROWS))})
    job = BackgroundJob.objects.get()
    assert response.url == reverse("jobs:progress", args=[job.pk])
    assert (job.kind, job.status, job.region) == (JobKind.LIAISONS_PREVIEW, JobStatus.DONE, zizhong)
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["finished"] and status["next"] == f"{import_url}?job={job.pk}" and status["rows_done"] == 4
    preview = client.get(response.url, follow=True)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "将新增4人" in html and "确认导入" in html and "张演示" in html
    assert Liaison.objects.count() == 0
    response = client.post(import_url, {"confirm": "1", "job": job.pk})
    imported = BackgroundJob.objects.get(kind=JobKind.LIAISONS_IMPORT)
    assert response.url == reverse("jobs:progress", args=[imported.pk]) and imported.status == JobStatus.DONE
    assert Liaison.objects.count() == 4
    assert "附件2 导入完成：已新增4人" in client.get(response.url, follow=True).content.decode()
    assert not default_storage.exists(imported.upload_file)


def test_admin_import_jobs_are_not_seen_or_confirmed_from_another_county(client, zizhong):
    county("东兴区")
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    import_url = reverse(Liaison.snippet_viewset.get_url_name("import"))
    client.post(import_url, {"file": upload(sheet(GOOD_ROWS))})
    job = BackgroundJob.objects.get()
    client.force_login(staff_user(COUNTY_BUREAU, region=county("东兴区"), username="dongxing"))
    for url in (
        reverse("jobs:progress", args=[job.pk]),
        reverse("jobs:status", args=[job.pk]),
        f"{import_url}?job={job.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(import_url, {"confirm": "1", "job": job.pk}).status_code == 404
    assert Liaison.objects.count() == 0 and BackgroundJob.objects.count() == 1


def test_admin_import_a_bad_row_fails_the_job_and_changes_nothing(client, zizhong):
    rows = [list(row) if row else row for row in GOOD_ROWS]
    rows[4][5] = "12345"
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    html = client.post(
        reverse(Liaison.snippet_viewset.get_url_name("import")), {"file": upload(sheet(rows))}, follow=True
    ).content.decode()
    assert "发现1处错误，未导入任何数据" in html and "第9行【联系电话】" in html and "确认导入" not in html
    assert BackgroundJob.objects.get().status == JobStatus.FAILED
    assert Liaison.objects.count() == 0 and not Unit.objects.filter(name="资中县水南镇人民政府").exists()


def test_admin_import_refuses_rows_outside_the_users_county(client, zizhong):
    county("东兴区")
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    rows = [[1, "东兴区", "东兴区市场监督管理局", "周演示", "科员", "13800000006", "", "A岗", "是", "是"]]
    html = client.post(
        reverse(Liaison.snippet_viewset.get_url_name("import")), {"file": upload(sheet(rows))}, follow=True
    )
    assert "第5行" in html.content.decode() and "不在您管理的范围" in html.content.decode()
    assert "确认导入" not in html.content.decode()
    assert Liaison.objects.count() == 0 and not Unit.objects.filter(name="东兴区市场监督管理局").exists()


def test_admin_import_rejects_other_file_types(client, zizhong):
    client.force_login(staff_user(COUNTY_BUREAU, region=zizhong))
    response = client.post(
        reverse(Liaison.snippet_viewset.get_url_name("import")), {"file": upload(b"a,b", name="附件2.csv")}
    )
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()


def test_admin_import_needs_change_permission(client, zizhong):
    client.force_login(staff_user(WINDOW_STAFF, region=zizhong))
    response = client.post(reverse(Liaison.snippet_viewset.get_url_name("import")), {"file": upload(sheet(GOOD_ROWS))})
    assert response.status_code in (302, 403)
    assert Liaison.objects.count() == 0


def test_a_sheet_without_people_is_an_error():
    result = import_liaisons(io.BytesIO(sheet([None])))
    assert result.errors.messages() == ["文件：表头下面没有填写任何人员。"]


def test_a_sheet_without_the_header_is_an_error():
    result = import_liaisons(io.BytesIO(sheet([], headers=["序号", "名称"])))
    assert "找不到表头" in result.errors.messages()[0]


def test_export_names_its_filter_in_the_sub_title_not_in_a_column(client):
    LiaisonFactory(name="李示例", unit=UnitFactory(region=county("资中县")), post=LiaisonPost.B)
    client.force_login(staff_user(COUNTY_BUREAU, region=county("资中县")))
    content = client.get(reverse(Liaison.snippet_viewset.get_url_name("export")), {"post": "B"}).content
    for name in ("附件2", STAFF_SHEET):
        rows = reopen(content, name)
        assert "范围：内江市资中县" in rows[1][0] and "A/B岗：B岗" in rows[1][0] and "导出时间" in rows[1][0]
        assert all(value is None for value in rows[1][1:])


def test_reimporting_an_export_reads_the_staff_list_and_says_so(zizhong, client):
    import_liaisons(io.BytesIO(sheet(GOOD_ROWS)))
    client.force_login(staff_user(CITY_GUIDANCE, region=city()))
    exported = client.get(reverse(Liaison.snippet_viewset.get_url_name("export"))).content
    result = import_liaisons(io.BytesIO(exported), dry_run=True)
    assert result.sheet == STAFF_SHEET
    assert "工作表“附件2”未读取" in result.summary
