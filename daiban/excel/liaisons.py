"""The liaison registry as 附件2: export in its layout, reading of a filled-in sheet.

Export, two sheets:
  - “附件2”, the form: one row per centre's 帮办代办窗口 and per unit, with its designated 联络员
    (Liaison.is_designated, in post); 地区 is the region's full name (内江市资中县响石镇); an
    organisation without a designated 联络员 keeps its row, marked 未指定联络员;
  - “帮办代办员名单”, every A/B staff member: the seven columns of the form plus 岗位 (A岗/B岗),
    联络员 (是/否), 在岗 (是/否).
The filter of the export (scope, listing filters) and the export time are in the sub-title row.

Reading: title rows above the header, blank rows and full-width spaces are tolerated. A workbook
with several sheets is read from the sheet that has the 岗位 column (the full list), else from
the first sheet with the header. A sheet without the extra columns is read too: "B岗" or "联络员"
written in 备注 is understood. The cells are checked here; matching and saving the rows is
daiban.services.liaisons (all or nothing).
"""

import re
import unicodedata

from django.utils import timezone

from daiban.models import Liaison, LiaisonPost
from daiban.services.liaisons import (
    LiaisonImportResult,
    LiaisonRow,
    RegionDirectory,
    import_liaison_rows,
    organisation_name,
)

from .common import (
    ExcelFormatError,
    Heading,
    ImportErrorList,
    RowCap,
    beijing,
    cell_text,
    compact,
    find_header,
    open_workbook,
    sheet_rows,
)
from .layout import Column, FormSheet, Layout, new_workbook, workbook_bytes

__all__ = [
    "TITLE",
    "HEADERS",
    "EXTRA_HEADERS",
    "FORM",
    "STAFF",
    "LiaisonImportResult",
    "export_liaisons",
    "import_liaisons",
    "read_liaison_sheet",
]

TITLE = "各级服务中心帮办代办窗口和进驻服务中心部门（单位）联络员情况登记表"
HEADERS = ["序号", "地区", "单位名称", "姓名", "职务", "联系电话", "备注"]
EXTRA_HEADERS = ["岗位", "联络员", "在岗"]
_FORM_COLUMNS = (
    Column("序号", 5, "center"),
    Column("地区", 22),
    Column("单位名称", 38),
    Column("姓名", 9, "center"),
    Column("职务", 14, "center"),
    Column("联系电话", 14, "center"),
    Column("备注", 10),
)
FORM = Layout(title=TITLE, sheet_title="附件2", columns=_FORM_COLUMNS, landscape=False)
STAFF = Layout(
    title="各级服务中心帮办代办窗口和进驻服务中心部门（单位）帮办代办员名单",
    sheet_title="帮办代办员名单",
    columns=(*_FORM_COLUMNS, Column("岗位", 7, "center"), Column("联络员", 7, "center"), Column("在岗", 6, "center")),
    landscape=True,
)
NO_LIAISON = "未指定联络员"
HEADINGS = [Heading(label, label) for label in HEADERS + EXTRA_HEADERS]
REQUIRED = ("地区", "单位名称", "姓名", "联系电话")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(转\d{1,6})?|\d{7,8})$")
YES = {"是", "√", "✓", "Y", "YES", "1", "联络员"}
NO = {"否", "×", "N", "NO", "0", ""}
INACTIVE = {"否", "不在岗", "离岗", "×", "N", "NO", "0"}
ACTIVE = {"是", "在岗", "√", "✓", "Y", "YES", "1", ""}
MAX_LENGTHS = {"单位名称": 120, "姓名": 50, "职务": 50, "联系电话": 30, "备注": 200}


# --- export --------------------------------------------------------------------------------


def export_liaisons(queryset, filters=""):
    """The liaisons of `queryset` as 附件2 workbook bytes; `filters` describes how they were chosen."""
    directory = RegionDirectory()
    liaisons = sorted(
        queryset.select_related("region", "unit", "centre"),
        key=lambda liaison: (*_organisation(liaison)[:3], liaison.post, liaison.name),
    )
    subtitle = "　　".join(part for part in (filters, f"导出时间：{beijing(timezone.now())}（北京时间）") if part)
    workbook = new_workbook()
    form = FormSheet(workbook, FORM, subtitles=(subtitle,))
    for number, values in enumerate(_form_rows(liaisons, directory), start=1):
        form.append([number, *values])
    form.finish()
    staff = FormSheet(workbook, STAFF, subtitles=(subtitle,))
    for number, liaison in enumerate(liaisons, start=1):
        staff.append([number, *_person(liaison, directory), *_flags(liaison)])
    staff.finish()
    return workbook_bytes(workbook)


def _person(liaison, directory):
    return [
        directory.full_name(liaison.region),
        organisation_name(liaison),
        liaison.name,
        liaison.title,
        liaison.phone,
        liaison.note,
    ]


def _flags(liaison):
    return [liaison.get_post_display(), "是" if liaison.is_designated else "否", "是" if liaison.is_active else "否"]


def _organisation(liaison):
    """Sort key and identity: the region, windows before units, then the name."""
    is_unit = bool(liaison.unit_id)
    return (liaison.region.path, is_unit, organisation_name(liaison), liaison.unit_id, liaison.centre_id)


def _form_rows(liaisons, directory):
    """The form's rows: each organisation's designated 联络员 in post, or the organisation marked as without one."""
    designated_somewhere = set(
        Liaison.objects.filter(is_designated=True, is_active=True).values_list("unit_id", "centre_id")
    )
    organisations = {}
    for liaison in liaisons:
        organisations.setdefault(_organisation(liaison), []).append(liaison)
    for key in sorted(organisations, key=lambda key: key[:3]):
        people = organisations[key]
        chosen = [person for person in people if person.is_designated and person.is_active]
        for person in chosen:
            yield _person(person, directory)
        if not chosen and (key[3], key[4]) not in designated_somewhere:
            first = people[0]
            yield [directory.full_name(first.region), organisation_name(first), "", "", "", NO_LIAISON]


# --- reading -------------------------------------------------------------------------------


def read_liaison_sheet(file, errors):
    """(sheet title, other sheets with a header, [LiaisonRow]) of a filled-in 附件2; cell errors go to `errors`."""
    workbook = open_workbook(file)
    try:
        found = []
        for sheet in workbook.worksheets:
            header, rest = find_header(sheet_rows(sheet), HEADINGS, anchors=REQUIRED)
            if header is not None:
                found.append((sheet.title, header, rest))
                if "岗位" in header.columns:
                    break
        if not found:
            raise ExcelFormatError("找不到表头：工作表的前20行中应有一行包含“" + "”“".join(REQUIRED) + "”。")
        title, header, rest = next((item for item in found if "岗位" in item[1].columns), found[0])
        labels = [label for label in HEADERS + EXTRA_HEADERS if label in header.columns]
        rows = []
        cap = RowCap("liaisons")
        for number, values in cap.take(rest):
            texts = {label: _value(values, header.columns[label]) for label in labels}
            if texts.get("备注") == NO_LIAISON and not texts.get("姓名") and not texts.get("联系电话"):
                continue  # the form's row of an organisation without a 联络员
            if any(texts.get(label) for label in ("地区", "单位名称", "姓名", "职务", "联系电话")):
                cap.add()
                rows.append(_read_row(number, texts, errors))
        others = [sheet_title for sheet_title, *_rest in found if sheet_title != title]
        return title, others, rows
    finally:
        workbook.close()


def _value(values, index):
    return cell_text(values[index]) if index < len(values) else ""


def import_liaisons(file, *, within=None, dry_run=False, progress=None):
    """Import a filled-in 附件2. `within`: the region the person may change (None: everywhere).
    `progress(done, total)` (optional) hears of the rows matched and saved so far.

    Returns a LiaisonImportResult; when it has errors (or on a dry run) nothing is saved.
    """
    result = LiaisonImportResult(errors=ImportErrorList(), dry_run=dry_run)
    try:
        result.sheet, result.other_sheets, rows = read_liaison_sheet(file, result.errors)
    except ExcelFormatError as error:
        result.errors.add(0, "", str(error))
        return result
    if not rows and not result.errors:
        result.errors.add(0, "", "表头下面没有填写任何人员。")
    if not rows:
        return result
    return import_liaison_rows(rows, result, within=within, progress=progress)


def _read_row(number, texts, errors):
    before = len(errors)

    def text(label):
        return texts.get(label, "")

    for label, limit in MAX_LENGTHS.items():
        if len(text(label)) > limit:
            errors.add(number, label, f"不能超过{limit}个字")
    if not text("姓名"):
        errors.add(number, "姓名", "姓名不能为空")
    phone = compact(unicodedata.normalize("NFKC", text("联系电话")))
    if not phone:
        errors.add(number, "联系电话", "联系电话不能为空")
    elif not PHONE.match(phone):
        errors.add(number, "联系电话", f"“{text('联系电话')}”不是有效的手机号或座机号（如 0832-1234567）")
    post = _post(number, text("岗位"), text("备注"), errors)
    designated = _designated(number, texts, errors)
    active = _yes_no(number, "在岗", text("在岗"), ACTIVE, INACTIVE, errors)
    if not text("地区"):
        errors.add(number, "地区", "地区不能为空")
    if not text("单位名称"):
        errors.add(number, "单位名称", "单位名称不能为空")
    return LiaisonRow(
        number=number,
        region=text("地区"),
        organisation=text("单位名称"),
        name=text("姓名"),
        title=text("职务"),
        phone=phone,
        note=text("备注"),
        post=post,
        is_designated=designated,
        is_active=active,
        valid=len(errors) == before,
    )


def _post(number, text, note, errors):
    value = compact(unicodedata.normalize("NFKC", text)).upper()
    if not value:
        return LiaisonPost.B if "B岗" in unicodedata.normalize("NFKC", note).upper() else LiaisonPost.A
    if value in {"A", "A岗"}:
        return LiaisonPost.A
    if value in {"B", "B岗"}:
        return LiaisonPost.B
    errors.add(number, "岗位", f"岗位应填写“A岗”或“B岗”，不能是“{text}”")
    return LiaisonPost.A


def _designated(number, texts, errors):
    if "联络员" not in texts:
        return "联络员" in texts.get("备注", "")
    return _yes_no(number, "联络员", texts["联络员"], YES, NO, errors, default=False)


def _yes_no(number, label, text, yes, no, errors, default=True):
    value = compact(text).upper()
    if value in yes and value not in no:
        return True
    if value in no and value not in yes:
        return False
    errors.add(number, label, f"请填写“是”或“否”，不能是“{text}”")
    return default
