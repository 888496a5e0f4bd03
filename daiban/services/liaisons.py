"""Keeping the liaison registry (附件2) current from the rows of a filled-in sheet.

The Excel layer (daiban.excel.liaisons) reads and checks the cells; this service matches each row
with the registry and writes: 地区 is a region name (the full name, e.g. 内江市资中县水南镇, when the
short one is ambiguous); 单位名称 is a unit of that region (created when missing, and reported) or
a service centre's window (“资中县政务服务中心帮办代办窗口”); a row updates the liaison with the
same region, unit and name. All or nothing: any error, or a dry run, and nothing is saved.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from ..models import Liaison, LiaisonPost, Region, ServiceCentre, Unit

__all__ = [
    "WINDOW_SUFFIX",
    "LiaisonImportResult",
    "LiaisonRow",
    "RegionDirectory",
    "import_liaison_rows",
    "organisation_name",
]

WINDOW_SUFFIX = "帮办代办窗口"


def organisation_name(liaison):
    """单位名称 as 附件2 writes it: the unit, or the centre's window."""
    return liaison.unit.name if liaison.unit_id else f"{liaison.centre.name}{WINDOW_SUFFIX}"


class RegionDirectory:
    """Every region's full name (内江市资中县水南镇) and the reverse lookup. Two queries in all."""

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

    def full_name(self, region):
        return self.full_names[region.pk]

    def label(self, region):
        """The short name, or the full one when the short one is shared."""
        return self.full_names[region.pk] if region.name in self.ambiguous else region.name

    def find(self, text):
        """(region, None) or (None, reason in Chinese)."""
        wanted = "".join((text or "").split())
        matches = [r for r in self.regions if r.name == wanted]
        if not matches:
            matches = [r for r in self.regions if self.full_names[r.pk].endswith(wanted)]
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, f"找不到地区“{text}”"
        examples = "、".join(self.full_names[r.pk] for r in matches[:3])
        return None, f"地区“{text}”有多个同名区域，请填写完整名称（如：{examples}）"


@dataclass
class LiaisonRow:
    """One person of a 附件2 sheet, as read. `valid` is False when a cell was wrong (already reported)."""

    number: int
    region: str
    organisation: str
    name: str
    title: str = ""
    phone: str = ""
    note: str = ""
    post: str = LiaisonPost.A
    is_designated: bool = False
    is_active: bool = True
    valid: bool = True

    def values(self):
        return {
            "title": self.title,
            "phone": self.phone,
            "note": self.note,
            "post": self.post,
            "is_designated": self.is_designated,
            "is_active": self.is_active,
        }


@dataclass
class RowAction:
    row: int
    region: str
    organisation: str
    name: str
    action: str  # 新增 / 更新 / 无变化


@dataclass
class LiaisonImportResult:
    """What an import did (or would do); `errors` holds RowErrors (row, column, message), in Chinese."""

    errors: object
    dry_run: bool = False
    actions: list = field(default_factory=list)
    new_units: list = field(default_factory=list)
    sheet: str = ""
    other_sheets: list = field(default_factory=list)

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
        if self.other_sheets:
            others = "、".join(f"“{name}”" for name in self.other_sheets)
            text += f"（读取工作表“{self.sheet}”，工作表{others}未读取）"
        return text + "。"


def import_liaison_rows(rows, result, *, within=None, progress=None):
    """Match and save `rows` (LiaisonRow) into the registry, reporting into `result`.

    `within`: the region the person may change (None: everywhere). Nothing is saved when
    `result` has errors at the end (including the sheet's own) or is a dry run.
    `progress(done, total)` (optional) hears of the rows done, every hundred rows.
    """
    with transaction.atomic():
        importer = _Importer(result, within)
        for done, row in enumerate(rows, start=1):
            importer.apply(row)
            if progress is not None and (done % 100 == 0 or done == len(rows)):
                progress(done, len(rows))
        if result.errors or result.dry_run:
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
        if not row.valid:
            return
        region = self.region(row)
        if region is None:
            return
        unit, centre = self.organisation(row, region)
        if not (unit or centre):
            return
        if self.is_duplicate(row, region, unit, centre):
            return
        self.save(row, region, unit, centre)

    def region(self, row):
        region, reason = self.directory.find(row.region)
        if reason:
            self.errors.add(row.number, "地区", reason)
            return None
        if self.within is not None and not region.path.startswith(self.within.path):
            self.errors.add(row.number, "地区", f"“{row.region}”不在您管理的范围（{self.within.name}）内")
            return None
        return region

    def organisation(self, row, region):
        """(unit, None) or (None, centre); a missing unit is created in the region."""
        name = row.organisation
        centre = self.centres.get(name.removesuffix(WINDOW_SUFFIX).strip())
        if centre is not None:
            if centre.region_id != region.pk:
                self.errors.add(row.number, "单位名称", f"服务中心“{centre.name}”不属于地区“{row.region}”")
                return None, None
            return None, centre
        unit = self.units.get((region.pk, name))
        if unit is None:
            unit = self.units[region.pk, name] = Unit.objects.create(region=region, name=name)
            self.result.new_units.append(f"{self.directory.label(region)} {name}")
        return unit, None

    def is_duplicate(self, row, region, unit, centre):
        key = (region.pk, unit and unit.pk, centre and centre.pk, row.name)
        if key in self.seen:
            self.errors.add(row.number, "姓名", f"与第{self.seen[key]}行重复（同一地区、单位和姓名）")
            return True
        self.seen[key] = row.number
        return False

    def save(self, row, region, unit, centre):
        key = (region.pk, unit and unit.pk, centre and centre.pk, row.name)
        values = row.values()
        liaison = self.liaisons.get(key)
        if liaison is None:
            self.liaisons[key] = Liaison.objects.create(
                region=region, unit=unit, centre=centre, name=row.name, **values
            )
            action = "新增"
        elif any(getattr(liaison, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(liaison, name, value)
            liaison.save()
            action = "更新"
        else:
            action = "无变化"
        organisation = unit.name if unit else centre.name
        self.result.actions.append(RowAction(row.number, self.directory.label(region), organisation, row.name, action))
