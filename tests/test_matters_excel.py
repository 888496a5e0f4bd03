"""附件1 import and export: the template as units fill it, all-or-nothing, re-import, round trip."""

import io

import pytest
from django.core.management import CommandError, call_command

from daiban.excel.matters import MatterSheetError, parse_handling_form, parse_promised_days, read_matter_workbook
from daiban.models import HandlingForm, MatterListPage, MatterPage, RegionLevel, Unit
from tests.factories import UnitFactory, county, matter, matter_list
from tests.matters_xlsx import first_data_row, read_back, workbook_bytes

pytestmark = pytest.mark.django_db

RSJ = "资中县人力资源和社会保障局"
GJJ = "资中县住房公积金管理中心"

QUIRKY_ROWS = [
    # 单位 merged down over the first three rows, with a trailing space
    [1, RSJ + " ", "城镇职工基本养老保险关系转移接续", "", "公共服务", "社会保险类", "15个工作日", "帮办、代办", "　"],
    [2, None, "失业保险金申领", None, "行政给付", "社会保险类", "即办", "代办，帮办", None],
    [3, None, "  就业创业证申领　", "", "公共服务", "就业创业类", 5, "帮办/代办", "需本人到场确认"],
    [None] * 9,
    [4, GJJ, "住房公积金提取", "离退休提取", "公共服务", "住房公积金类", "５工作日", "帮办 代办", None],
    [5, GJJ + "\u3000", "住房公积金提取", "购房提取", "公共服务", "住房公积金类", 3.0, "代办", ""],
    [6, "资中县新设服务中心", "老年人优待证办理", "", "其他行政权力", "民政类", "10 个工作日", "帮办", None],
]


def write(tmp_path, content, name="附件1.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def import_file(path, *args, region="资中县", level="县级"):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_matters", path, "--region", region, "--level", level, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def zizhong():
    region = county("资中县")
    UnitFactory(name=RSJ, region=region)
    UnitFactory(name=GJJ, region=region)
    return region


@pytest.fixture
def quirky_file(tmp_path):
    return write(tmp_path, workbook_bytes(QUIRKY_ROWS, merges=[("B", 0, 2)]))


def matters_of(region, level=RegionLevel.COUNTY):
    list_page = MatterListPage.objects.get(region=region, level=level)
    return list(MatterPage.objects.child_of(list_page).select_related("unit").order_by("path"))


@pytest.mark.parametrize(
    "text,days",
    [("即办", 0), ("5", 5), ("5个工作日", 5), ("5工作日", 5), ("５个工作日", 5), (" 12 个工作日 ", 12), ("0", 0)],
)
def test_promised_days_as_units_write_them(text, days):
    assert parse_promised_days(text) == days


@pytest.mark.parametrize("text", ["五天", "5天以内", "", "约5个工作日"])
def test_unreadable_promised_days_are_refused(text):
    with pytest.raises(ValueError):
        parse_promised_days(text)


@pytest.mark.parametrize(
    "text,form",
    [
        ("帮办、代办", HandlingForm.BOTH),
        ("代办，帮办", HandlingForm.BOTH),
        ("帮办/代办", HandlingForm.BOTH),
        ("帮办 代办", HandlingForm.BOTH),
        ("帮办,代办", HandlingForm.BOTH),
        ("帮办", HandlingForm.ASSIST),
        (" 代办 ", HandlingForm.PROXY),
    ],
)
def test_handling_form_as_units_write_it(text, form):
    assert parse_handling_form(text) == form


def test_filled_in_template_imports_exactly(zizhong, quirky_file):
    out, _ = import_file(quirky_file)

    matters = matters_of(zizhong)
    assert [(m.unit.name, m.title, m.sub_item_name) for m in matters] == [
        (RSJ, "城镇职工基本养老保险关系转移接续", ""),
        (RSJ, "失业保险金申领", ""),
        (RSJ, "就业创业证申领", ""),
        (GJJ, "住房公积金提取", "离退休提取"),
        (GJJ, "住房公积金提取", "购房提取"),
        ("资中县新设服务中心", "老年人优待证办理", ""),
    ]
    assert [m.promised_days for m in matters] == [15, 0, 5, 5, 3, 10]
    assert [m.handling_form for m in matters] == ["both", "both", "both", "both", "proxy", "assist"]
    assert [m.note for m in matters] == ["", "", "需本人到场确认", "", "", ""]
    assert matters[0].matter_type == "公共服务" and matters[0].category == "社会保险类"
    assert all(m.live for m in matters)
    assert "新建单位 1 个（资中县新设服务中心）" in out
    assert Unit.objects.filter(region=zizhong, name="资中县新设服务中心").exists()
    assert MatterListPage.objects.get(region=zizhong, level=RegionLevel.COUNTY).live


def test_reimporting_the_same_file_updates_and_never_duplicates(zizhong, quirky_file, tmp_path):
    import_file(quirky_file)
    first_ids = [m.pk for m in matters_of(zizhong)]

    out, _ = import_file(quirky_file)
    assert "新增 0 项，更新 0 项，无变化 6 项" in out
    assert [m.pk for m in matters_of(zizhong)] == first_ids

    changed = [list(row) for row in QUIRKY_ROWS]
    changed[1][6] = "3个工作日"
    out, _ = import_file(write(tmp_path, workbook_bytes(changed, merges=[("B", 0, 2)]), "changed.xlsx"))
    assert "新增 0 项，更新 1 项" in out
    assert [m.pk for m in matters_of(zizhong)] == first_ids
    assert MatterPage.objects.get(title="失业保险金申领").promised_days == 3


def test_export_gives_back_the_same_values(zizhong, quirky_file, tmp_path):
    import_file(quirky_file)
    out_path = tmp_path / "导出.xlsx"
    call_command(
        "export_matters", "--region", "资中县", "--level", "县级", "--out", str(out_path), stdout=io.StringIO()
    )

    values, merged = read_back(out_path.read_bytes())
    # title, sub-title (the list exported), the form's 单位/联系人/联系电话 line, then the header
    assert values[3] == ["序号", "单位", "事项名称", "子项名称", "事项类型", "事项分类", "承诺时限", "办理形式", "备注"]
    assert values[4] == [
        1,
        RSJ,
        "城镇职工基本养老保险关系转移接续",
        None,
        "公共服务",
        "社会保险类",
        "15个工作日",
        "帮办、代办",
        None,
    ]
    assert values[5][6:8] == ["即办", "帮办、代办"]
    assert values[7][1:4] == [GJJ, "住房公积金提取", "离退休提取"]
    assert values[8][1:4] == [None, "住房公积金提取", "购房提取"]
    assert values[8][6:8] == ["3个工作日", "代办"]
    assert {"B5:B7", "B8:B9"} <= merged
    assert str(values[-1][0]).startswith("2.代办是指")

    rows = read_matter_workbook(io.BytesIO(out_path.read_bytes()))
    assert [(r.unit, r.title, r.sub_item_name, r.promised_days, r.handling_form, r.note) for r in rows] == [
        (m.unit.name, m.title, m.sub_item_name, m.promised_days, m.handling_form, m.note) for m in matters_of(zizhong)
    ]
    out, _ = import_file(str(out_path))
    assert "新增 0 项，更新 0 项，无变化 6 项" in out


def test_one_bad_row_imports_nothing_and_names_its_sheet_row(zizhong, tmp_path):
    rows = [list(row) for row in QUIRKY_ROWS]
    rows[4][6] = "五天"
    path = write(tmp_path, workbook_bytes(rows, merges=[("B", 0, 2)]))

    with pytest.raises(CommandError, match="1 处错误，未导入任何内容"):
        import_file(path)
    assert not MatterListPage.objects.filter(region=zizhong).exists()
    assert not MatterPage.objects.exists()
    assert not Unit.objects.filter(name="资中县新设服务中心").exists()

    with pytest.raises(MatterSheetError) as error:
        read_matter_workbook(path)
    bad_row = first_data_row() + 4
    assert error.value.messages() == [
        f"第{bad_row}行【承诺时限（G列）】：无法识别的承诺时限“五天”，请填写“即办”或工作日数（如 5、5个工作日）"
    ]


def test_every_error_is_listed_with_row_and_column(zizhong, tmp_path):
    rows = [
        [1, RSJ, "", "", "公共服务", "社会保险类", "5", "帮办", ""],
        [2, RSJ, "失业保险金申领", "", "行政给付", "社会保险类", "即办", "上门", ""],
        [3, None, "就业创业证申领", "", "公共服务", "就业类", "即办", "代办", ""],
        [4, RSJ, "失业保险关系转移", "", "公共服务", "社会保险类", "即办", "代办", ""],
        [5, RSJ, "失业保险关系转移", "", "公共服务", "社会保险类", "即办", "代办", ""],
    ]
    start = first_data_row()
    with pytest.raises(MatterSheetError) as error:
        read_matter_workbook(io.BytesIO(workbook_bytes(rows, unit_line="单位：（盖章）  联系人：")))
    assert error.value.messages() == [
        f"第{start}行【事项名称（C列）】：事项名称不能为空",
        f"第{start + 1}行【办理形式（H列）】：无法识别的办理形式“上门”，请填写“帮办”“代办”或“帮办、代办”",
        f"第{start + 2}行【单位（B列）】：单位不能为空",
        f"第{start + 4}行【事项名称（C列）】：与第{start + 3}行的事项重复（单位、事项名称、子项名称相同）",
    ]


def test_unit_named_above_the_header_applies_to_rows_without_one(zizhong):
    rows = [[1, None, "临时救助申请", "", "行政给付", "民政类", "5", "代办", ""]]
    content = workbook_bytes(rows, unit_line="单位：（盖章）资中县民政局    联系人：李四    联系电话：13800000001")
    assert [row.unit for row in read_matter_workbook(io.BytesIO(content))] == ["资中县民政局"]


def test_not_a_workbook_is_refused_in_chinese(zizhong, tmp_path):
    path = write(tmp_path, b"not a workbook", "清单.xlsx")
    with pytest.raises(CommandError, match="无法读取文件"):
        import_file(path)


def test_dry_run_writes_nothing(zizhong, quirky_file):
    out, _ = import_file(quirky_file, "--dry-run")
    assert "新增 6 项" in out and "试运行" in out
    assert not MatterPage.objects.exists()
    assert not Unit.objects.filter(name="资中县新设服务中心").exists()


def test_draft_import_is_not_public(zizhong, quirky_file, tmp_path, client):
    unit = Unit.objects.get(name=RSJ)
    existing = matter("失业保险金申领", unit=unit, promised_days=9, list_page=matter_list(region=zizhong))
    existing.save_revision().publish()

    import_file(quirky_file, "--draft")

    existing.refresh_from_db()
    assert existing.live and existing.promised_days == 9
    assert existing.has_unpublished_changes
    assert existing.get_latest_revision_as_object().promised_days == 0
    new = MatterPage.objects.get(title="城镇职工基本养老保险关系转移接续")
    assert not new.live
    assert client.get(new.url or "/nowhere/").status_code == 404


def test_formula_like_text_is_neutralised_on_export_and_restored_on_import(zizhong, tmp_path):
    unit = Unit.objects.get(name=RSJ)
    matter("失业保险金申领", unit=unit, list_page=matter_list(region=zizhong), note="=HYPERLINK(1)")
    out_path = tmp_path / "out.xlsx"
    call_command(
        "export_matters", "--region", "资中县", "--level", "县级", "--out", str(out_path), stdout=io.StringIO()
    )
    values, _ = read_back(out_path.read_bytes())
    assert values[4][8] == "'=HYPERLINK(1)"
    assert read_matter_workbook(io.BytesIO(out_path.read_bytes()))[0].note == "=HYPERLINK(1)"


def test_unknown_region_or_level_is_refused(zizhong, quirky_file):
    with pytest.raises(CommandError, match="找不到区域“火星县”"):
        import_file(quirky_file, region="火星县")
    with pytest.raises(CommandError, match="无法识别的清单层级“省级”"):
        import_file(quirky_file, level="省级")


def test_text_starting_with_tab_or_carriage_return_is_neutralised_too(zizhong, tmp_path):
    unit = Unit.objects.get(name=RSJ)
    page = matter_list(region=zizhong)
    matter("失业保险金申领", unit=unit, list_page=page, note="\t=1+1")
    matter("就业创业证申领", unit=unit, list_page=page, note="@SUM(A1)")
    out_path = tmp_path / "out.xlsx"
    call_command(
        "export_matters", "--region", "资中县", "--level", "县级", "--out", str(out_path), stdout=io.StringIO()
    )
    values, _ = read_back(out_path.read_bytes())
    notes = {row[2]: row[8] for row in values[4:6]}
    assert notes == {"失业保险金申领": "'\t=1+1", "就业创业证申领": "'@SUM(A1)"}
