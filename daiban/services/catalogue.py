"""Keeping the 帮办代办事项清单 current from 附件1 rows: plan an import, apply it, export a list.

An import is planned first (what would be created, updated, left alone; which units are new)
without writing anything, so that `--dry-run` and the admin's preview show exactly what applying
the plan does. Applying is all-or-nothing. A matter is identified within its list by unit,
事项名称 and 子项名称, so importing the same file again updates and never duplicates.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from daiban.models import HandlingForm, MatterListPage, MatterPage, Region, RegionLevel, Unit
from home.models import HomePage

from .indexing import batched_index

LIST_FIELDS = ["unit_id", "title", "sub_item_name", "matter_type", "category", "promised_days", "handling_form", "note"]


@dataclass(frozen=True)
class MatterRow:
    """One matter of 附件1, cleaned. `sheet_row` is 0 for rows that do not come from a sheet."""

    unit: str
    title: str
    sub_item_name: str = ""
    matter_type: str = ""
    category: str = ""
    promised_days: int = 0
    handling_form: str = HandlingForm.BOTH
    note: str = ""
    sheet_row: int = 0

    @property
    def key(self):
        return (self.unit, self.title, self.sub_item_name)

    @property
    def promised_label(self):
        return "即办" if self.promised_days == 0 else f"{self.promised_days}个工作日"

    @property
    def handling_form_label(self):
        return HandlingForm(self.handling_form).label


class CatalogueError(ValueError):
    """A problem with the import's target (region, level), in Chinese."""


def find_region(name):
    """A region by name, or by its full name (内江市资中县水南镇, or 资中县/水南镇) when the name is ambiguous."""
    name = (name or "").strip()
    regions = list(Region.objects.filter(name=name))
    if len(regions) == 1:
        return regions[0]
    full_name = name.replace("/", "")
    for region in Region.objects.all():
        if full_name.endswith(region.name) and region.full_name.endswith(full_name) and full_name != region.name:
            return region
    if regions:
        names = "、".join(region.full_name for region in regions)
        raise CatalogueError(f"区域名称“{name}”不唯一（{names}），请写完整名称。")
    raise CatalogueError(f"找不到区域“{name}”。")


def find_level(text):
    for level in RegionLevel:
        if text in (level.value, level.label):
            return level
    labels = "、".join(level.label for level in RegionLevel)
    raise CatalogueError(f"无法识别的清单层级“{text}”，应为{labels}之一。")


@dataclass
class PlannedMatter:
    row: MatterRow
    page: MatterPage | None
    changes: list = field(default_factory=list)

    @property
    def action(self):
        if self.page is None:
            return "新增"
        return "更新" if self.changes else "无变化"


@dataclass
class ImportPlan:
    region: Region
    level: str
    list_page: MatterListPage | None
    items: list
    new_units: list
    units: dict
    not_in_file: list

    def count(self, action):
        return sum(1 for item in self.items if item.action == action)

    @property
    def summary(self):
        parts = [f"新增 {self.count('新增')} 项", f"更新 {self.count('更新')} 项", f"无变化 {self.count('无变化')} 项"]
        if self.new_units:
            parts.append(f"新建单位 {len(self.new_units)} 个（{'、'.join(self.new_units)}）")
        return "，".join(parts)

    @property
    def level_label(self):
        return RegionLevel(self.level).label


def plan_matter_import(rows, region, level):
    """What importing these rows into the (region, level) list would do. Writes nothing."""
    list_page = MatterListPage.objects.filter(region=region, level=level).first()
    units = {unit.name: unit for unit in Unit.objects.filter(region=region, name__in={row.unit for row in rows})}
    new_units = sorted({row.unit for row in rows} - units.keys())
    existing = {}
    if list_page is not None:
        for page in MatterPage.objects.child_of(list_page).select_related("unit"):
            existing[(page.unit.name, page.title, page.sub_item_name)] = page
    items = [_plan_row(row, existing.get(row.key), units) for row in rows]
    keys = {row.key for row in rows}
    not_in_file = [page for key, page in existing.items() if key not in keys and page.live]
    return ImportPlan(region, level, list_page, items, new_units, units, not_in_file)


def _plan_row(row, page, units):
    if page is None:
        return PlannedMatter(row, None)
    wanted = _values(row, units.get(row.unit))
    changes = [name for name in LIST_FIELDS if getattr(page, name) != wanted[name]]
    if not page.live:
        changes.append("live")
    return PlannedMatter(row, page, changes)


def _values(row, unit):
    return {
        "unit_id": unit.pk if unit else None,
        "title": row.title,
        "sub_item_name": row.sub_item_name,
        "matter_type": row.matter_type,
        "category": row.category,
        "promised_days": row.promised_days,
        "handling_form": row.handling_form,
        "note": row.note,
    }


@dataclass
class ImportResult:
    plan: ImportPlan
    list_page: MatterListPage
    published: bool


def apply_matter_import(plan, *, publish=True, user=None, progress=None):
    """Carry out a plan in one transaction. Without `publish` the changes are saved as drafts.

    `progress(done, total)` (optional) hears of the matters done so far, every few matters.

    Each page is indexed once, in bulk, after the commit (services.indexing), not on each of its saves.
    """
    with transaction.atomic(), batched_index():
        list_page = plan.list_page or _create_list(plan.region, plan.level, publish, user)
        units = dict(plan.units)
        for name in plan.new_units:
            units[name] = Unit.objects.create(name=name, region=plan.region)
        slugs = set(MatterPage.objects.child_of(list_page).values_list("slug", flat=True))
        for done, item in enumerate(plan.items, start=1):
            values = _values(item.row, units[item.row.unit])
            if item.page is None:
                _create_matter(list_page, values, slugs, publish, user)
            elif item.changes:
                _update_matter(item.page, values, publish, user)
            if progress is not None and (done % 10 == 0 or done == len(plan.items)):
                progress(done, len(plan.items))
    return ImportResult(plan, list_page, publish)


def import_matters(rows, region, level, *, publish=True, user=None):
    return apply_matter_import(plan_matter_import(rows, region, level), publish=publish, user=user)


def _create_list(region, level, publish, user):
    home = HomePage.objects.first()
    if home is None:
        raise CatalogueError("网站还没有首页，无法创建事项清单。")
    list_page = MatterListPage(
        title=f"{region.name}{RegionLevel(level).label}帮办代办事项清单",
        slug=_unique_slug(f"{region.name}-{level}", set(home.get_children().values_list("slug", flat=True))),
        region=region,
        level=level,
        published_on=timezone.localdate() if publish else None,
        live=False,
    )
    home.add_child(instance=list_page)
    _save(list_page, publish, user)
    return list_page


def _create_matter(list_page, values, slugs, publish, user):
    page = MatterPage(**values, live=False)
    page.slug = _unique_slug(
        values["title"] + ("-" + values["sub_item_name"] if values["sub_item_name"] else ""), slugs
    )
    list_page.add_child(instance=page)
    _save(page, publish, user)


def _update_matter(page, values, publish, user):
    for name, value in values.items():
        setattr(page, name, value)
    if publish:
        _save(page, publish, user)
    else:
        # A draft must not change what the public sees: only the revision gets the new values.
        page.save_revision(user=user, log_action=True)


def _save(page, publish, user):
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)


def _unique_slug(text, taken):
    base = slugify(text, allow_unicode=True)[:70] or "matter"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def export_rows(list_page):
    """The list's published matters as 附件1 rows, each unit's matters together, in list order."""
    pages = list(MatterPage.objects.child_of(list_page).live().select_related("unit").order_by("path"))
    order = {}
    for page in pages:
        order.setdefault(page.unit_id, len(order))
    pages.sort(key=lambda page: (order[page.unit_id], page.path))
    return [
        MatterRow(
            unit=page.unit.name,
            title=page.title,
            sub_item_name=page.sub_item_name,
            matter_type=page.matter_type,
            category=page.category,
            promised_days=page.promised_days,
            handling_form=page.handling_form,
            note=page.note,
        )
        for page in pages
    ]
