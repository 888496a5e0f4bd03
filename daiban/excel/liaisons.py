"""The liaison registry as 附件2: export in its layout, import of a filled-in sheet.

Layout: the title row, then the seven official columns 序号 地区 单位名称 姓名 职务 联系电话 备注,
then three extra columns 岗位 (A岗/B岗), 联络员 (是/否), 在岗 (是/否). A sheet without the extra
columns is read too: "B岗" or "联络员" written in 备注 is understood.

Import rules: title rows above the header, blank rows and full-width spaces are tolerated; 地区 is
a region name (the full name, e.g. 内江市资中县水南镇, when the short one is ambiguous); 单位名称 is
a unit of that region (created when missing, and reported) or a service centre's window
(“资中县政务服务中心帮办代办窗口”); a row updates the liaison with the same region, unit and name.
Any invalid row means nothing is imported.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from daiban.models import Liaison, LiaisonPost, Region, ServiceCentre, Unit

from .common import (
    ExcelFormatError,
    ImportErrorList,
    beijing,
    compact,
    data_row,
    find_header,
    header_row,
    read_rows,
    set_widths,
    title_row,
    workbook_bytes,
    write_only_sheet,
)

__all__ = ["TITLE", "HEADERS", "EXTRA_HEADERS", "LiaisonImportResult", "export_liaisons", "import_liaisons"]

TITLE = "各级服务中心帮办代办窗口和进驻服务中心部门（单位）联络员情况登记表"
HEADERS = ["序号", "地区", "单位名称", "姓名", "职务", "联系电话", "备注"]
EXTRA_HEADERS = ["岗位", "联络员", "在岗"]
WIDTHS = [6, 16, 34, 10, 14, 16, 24, 8, 8, 8]
REQUIRED = ("地区", "单位名称", "姓名", "联系电话")
WINDOW_SUFFIX = "帮办代办窗口"
MAX_ROWS = 5000
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(转\d{1,6})?|\d{7,8})$")
YES = {"是", "√", "✓", "Y", "YES", "1", "联络员"}
NO = {"否", "×", "N", "NO", "0", ""}
INACTIVE = {"否", "不在岗", "离岗", "×", "N", "NO", "0"}
ACTIVE = {"是", "在岗", "√", "✓", "Y", "YES", "1", ""}
MAX_LENGTHS = {"单位名称": 120, "姓名": 50, "职务": 50, "联系电话": 30, "备注": 200}


class RegionDirectory:
    """Every region's name as the sheet writes it, and the reverse lookup. Two queries in all."""

    def __init__(self):
        regions = list(Region.objects.order_by("path"))
        by_path = {region.path: region for region in regions}
        step = Region.steplen
        self.full_names = {
            region.pk: "".join(by_path[region.path[:end]].name for end in range(step, len(region.path) + 1, step))
            for region in regions
        }
        self.regions = regions
        self.ambiguous = set(
            Region.objects.values("name").annotate(n=Count("id")).filter(n__gt=1).values_list("name", flat=True)
        )

    def label(self, region):
        return self.full_names[region.pk] if region.name in self.ambiguous else region.name

    def find(self, text):
        """(region, None) or (None, reason in Chinese)."""
        wanted = compact(text)
        matches = [r for r in self.regions if compact(r.name) == wanted]
        if not matches:
            matches = [r for r in self.regions if compact(self.full_names[r.pk]).endswith(wanted)]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, f"找不到地区“{text}”"
        examples = "、".join(self.full_names[r.pk] for r in matches[:3])
        return None, f"地区“{text}”有多个同名区域，请填写完整名称（如：{examples}）"


# --- export --------------------------------------------------------------------------------


def export_liaisons(queryset):
    """The liaisons of `queryset` as 附件2 workbook bytes."""
    directory = RegionDirectory()
    liaisons = queryset.select_related("region", "unit", "centre").order_by(
        "region__path", "unit__name", "centre__name", "post", "name"
    )
    workbook, sheet = write_only_sheet("附件2")
    set_widths(sheet, WIDTHS)
    title_row(sheet, TITLE, len(WIDTHS))
    data_row(sheet, [f"导出时间：{beijing(timezone.now())}（北京时间）"])
    header_row(sheet, HEADERS + EXTRA_HEADERS)
    for number, liaison in enumerate(liaisons.iterator(chunk_size=500), start=1):
        data_row(sheet, _export_values(number, liaison, directory))
    return workbook_bytes(workbook)


def _export_values(number, liaison, directory):
    organisation = liaison.unit.name if liaison.unit else f"{liaison.centre.name}{WINDOW_SUFFIX}"
    return [
        number,
        directory.label(liaison.region),
        organisation,
        liaison.name,
        liaison.title,
        liaison.phone,
        liaison.note,
        liaison.get_post_display(),
        "是" if liaison.is_designated else "否",
        "是" if liaison.is_active else "否",
    ]


# --- import --------------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int
    values: dict

    def __getitem__(self, label):
        return self.values.get(label, "")

    def is_blank(self):
        return not any(self[label] for label in ("地区", "单位名称", "姓名", "职务", "联系电话"))


@dataclass
class RowAction:
    row: int
    region: str
    organisation: str
    name: str
    action: str  # 新增 / 更新 / 无变化


@dataclass
class LiaisonImportResult:
    dry_run: bool = False
    actions: list = field(default_factory=list)
    new_units: list = field(default_factory=list)
    errors: ImportErrorList = field(default_factory=ImportErrorList)

    def count(self, action):
        return sum(1 for item in self.actions if item.action == action)

    @property
    def summary(self):
        if self.errors:
            return f"发现{len(self.errors)}处错误，未导入任何数据。"
        verb = "将" if self.dry_run else "已"
        text = f"{verb}新增{self.count('新增')}人，{verb}更新{self.count('更新')}人，{self.count('无变化')}人无变化"
        if self.new_units:
            text += f"；{verb}新建单位{len(self.new_units)}个：" + "、".join(self.new_units)
        return text + "。"


def read_sheet(file):
    """The non-blank rows under the header, as SheetRow."""
    _header_row, columns, rows = find_header(read_rows(file), REQUIRED)
    labels = [label for label in HEADERS + EXTRA_HEADERS if label in columns]
    for number, values in rows:
        row = SheetRow(number, {label: _value(values, columns[label]) for label in labels})
        if not row.is_blank():
            yield row


def _value(values, index):
    return values[index] if index < len(values) else ""


def import_liaisons(file, *, within=None, dry_run=False):
    """Import a filled-in 附件2. `within`: the region the person may change (None: everywhere).

    Returns a LiaisonImportResult; when it has errors (or on a dry run) nothing is saved.
    """
    result = LiaisonImportResult(dry_run=dry_run)
    try:
        rows = list(islice(read_sheet(file), MAX_ROWS + 1))
    except ExcelFormatError as error:
        result.errors.add(0, "", str(error))
        return result
    if not rows:
        result.errors.add(0, "", "表头下面没有填写任何人员。")
    if len(rows) > MAX_ROWS:
        result.errors.add(0, "", f"一次最多导入{MAX_ROWS}行，请分批导入。")
    if result.errors:
        return result
    with transaction.atomic():
        importer = _Importer(result, within)
        for row in rows:
            importer.apply(row)
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result


class _Importer:
    def __init__(self, result, within):
        self.result = result
        self.errors = result.errors
        self.within = within
        self.directory = RegionDirectory()
        self.seen = {}
        self.units = {(unit.region_id, unit.name): unit for unit in Unit.objects.all()}
        self.centres = {centre.name: centre for centre in ServiceCentre.objects.all()}
        self.liaisons = {
            (liaison.region_id, liaison.unit_id, liaison.centre_id, liaison.name): liaison
            for liaison in Liaison.objects.all()
        }

    def apply(self, row):
        before = len(self.errors)
        values = self.clean_values(row)
        region = self.region(row)
        if len(self.errors) > before or region is None:
            return
        unit, centre = self.organisation(row, region)
        if len(self.errors) > before or not (unit or centre):
            return
        if self.is_duplicate(row, region, unit, centre, values["name"]):
            return
        self.save(row, region, unit, centre, values)

    def clean_values(self, row):
        for label, limit in MAX_LENGTHS.items():
            if len(row[label]) > limit:
                self.errors.add(row.number, label, f"不能超过{limit}个字")
        if not row["姓名"]:
            self.errors.add(row.number, "姓名", "姓名不能为空")
        return {
            "name": row["姓名"],
            "title": row["职务"],
            "phone": self.phone(row),
            "note": row["备注"],
            "post": self.post(row),
            "is_designated": self.designated(row),
            "is_active": self.active(row),
        }

    def phone(self, row):
        phone = compact(unicodedata.normalize("NFKC", row["联系电话"]))
        if not phone:
            self.errors.add(row.number, "联系电话", "联系电话不能为空")
        elif not PHONE.match(phone):
            self.errors.add(row.number, "联系电话", f"“{row['联系电话']}”不是有效的手机号或座机号（如 0832-1234567）")
        return phone

    def post(self, row):
        text = compact(unicodedata.normalize("NFKC", row["岗位"])).upper()
        if not text:
            return LiaisonPost.B if "B岗" in unicodedata.normalize("NFKC", row["备注"]).upper() else LiaisonPost.A
        if text in {"A", "A岗"}:
            return LiaisonPost.A
        if text in {"B", "B岗"}:
            return LiaisonPost.B
        self.errors.add(row.number, "岗位", f"岗位应填写“A岗”或“B岗”，不能是“{row['岗位']}”")
        return LiaisonPost.A

    def designated(self, row):
        if "联络员" not in row.values:
            return "联络员" in row["备注"]
        text = compact(row["联络员"]).upper()
        if text in YES or text in NO:
            return text in YES
        self.errors.add(row.number, "联络员", f"请填写“是”或“否”，不能是“{row['联络员']}”")
        return False

    def active(self, row):
        text = compact(row["在岗"]).upper()
        if text in ACTIVE or text in INACTIVE:
            return text not in INACTIVE
        self.errors.add(row.number, "在岗", f"请填写“是”或“否”，不能是“{row['在岗']}”")
        return True

    def region(self, row):
        if not row["地区"]:
            self.errors.add(row.number, "地区", "地区不能为空")
            return None
        region, reason = self.directory.find(row["地区"])
        if reason:
            self.errors.add(row.number, "地区", reason)
            return None
        if self.within is not None and not region.path.startswith(self.within.path):
            self.errors.add(row.number, "地区", f"“{row['地区']}”不在您管理的范围（{self.within.name}）内")
            return None
        return region

    def organisation(self, row, region):
        """(unit, None) or (None, centre); a missing unit is created in the region."""
        name = row["单位名称"]
        if not name:
            self.errors.add(row.number, "单位名称", "单位名称不能为空")
            return None, None
        centre = self.centre(name)
        if centre is not None:
            if centre.region_id != region.pk:
                self.errors.add(row.number, "单位名称", f"服务中心“{centre.name}”不属于地区“{row['地区']}”")
                return None, None
            return None, centre
        unit = self.units.get((region.pk, name))
        if unit is None:
            unit = self.units[region.pk, name] = Unit.objects.create(region=region, name=name)
            self.result.new_units.append(f"{self.directory.label(region)} {name}")
        return unit, None

    def centre(self, name):
        return self.centres.get(name.removesuffix(WINDOW_SUFFIX).strip())

    def is_duplicate(self, row, region, unit, centre, name):
        key = (region.pk, unit and unit.pk, centre and centre.pk, name)
        if key in self.seen:
            self.errors.add(row.number, "姓名", f"与第{self.seen[key]}行重复（同一地区、单位和姓名）")
            return True
        self.seen[key] = row.number
        return False

    def save(self, row, region, unit, centre, values):
        name = values.pop("name")
        key = (region.pk, unit and unit.pk, centre and centre.pk, name)
        liaison = self.liaisons.get(key)
        if liaison is None:
            self.liaisons[key] = Liaison.objects.create(region=region, unit=unit, centre=centre, name=name, **values)
            action = "新增"
        elif any(getattr(liaison, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(liaison, key, value)
            liaison.save()
            action = "更新"
        else:
            action = "无变化"
        organisation = unit.name if unit else centre.name
        self.result.actions.append(RowAction(row.number, self.directory.label(region), organisation, name, action))
