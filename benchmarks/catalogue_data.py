"""A city's catalogue in bulk: live, valid MatterPages under their lists, indexed for search in one batch.

Wagtail's `add_child` + `save_revision().publish()` costs over a hundred queries a page; the benchmarks
need thousands of pages, so the tree rows are written the way treebeard would write them (paths, depth,
numchild, url_path), the Page and MatterPage rows in bulk inserts, and the search index in one bulk
write per model (daiban.services.indexing.index_now). The pages are live, routable and searchable like
pages published one by one; they have no revisions (nothing reads them on public pages).
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Page

from daiban.models import MatterListPage, MatterMaterial, MatterPage, RegionLevel, SearchSynonym
from daiban.services.indexing import index_now
from tests.factories import UnitFactory, city, county, home_page

AREAS = ["市中区", "东兴区", "威远县", "资中县", "隆昌市", "内江经开区", "内江高新区"]

# (title, sub-item, matter type, category, materials): a matter of the catalogue, repeated with a number.
KINDS = [
    ("住房公积金提取", "离退休提取", "公共服务", "住房公积金", ("身份证", "退休证明")),
    ("住房公积金贷款", "", "公共服务", "住房公积金", ("身份证", "购房合同")),
    ("城镇职工基本养老保险关系转移接续", "", "公共服务", "社会保险", ("身份证", "参保缴费凭证")),
    ("失业保险金申领", "", "行政给付", "社会保险", ("身份证", "解除劳动合同证明")),
    ("社会保障卡补换", "", "公共服务", "社会保险", ("身份证",)),
    ("企业设立登记", "有限责任公司", "行政许可", "企业开办", ("章程", "股东身份证明")),
    ("不动产转移登记", "", "行政确认", "不动产登记", ("不动产权证书", "买卖合同")),
    ("建筑工程施工许可证核发", "", "行政许可", "工程建设", ("施工合同", "安全生产条件证明")),
    ("食品经营许可", "新办", "行政许可", "市场监管", ("营业执照", "食品安全管理制度")),
    ("医疗保险异地就医备案", "", "公共服务", "医疗保障", ("身份证", "备案表")),
    ("用水报装", "", "公共服务", "水电气信", ("产权证明", "申请表")),
    ("高龄津贴申领", "", "行政给付", "民政", ("身份证", "户口簿")),
]
FORMS = ["assist", "proxy", "both"]
MATTER_UNITS = 60  # units that have matters
IDLE_UNITS = 40  # units without any matter (their lists and filters must not pay for them)
SYNONYMS = {"社保": "社会保险/社会保障", "公积金": "住房公积金"}


def organisation():
    """The city and its areas with their lists, the units with matters and those without. Returns (lists, units)."""
    root = city()
    regions = [root, *(county(name) for name in AREAS)]
    lists = []
    for region in regions:
        level = RegionLevel.CITY if region == root else RegionLevel.COUNTY
        page = MatterListPage(
            title=f"{region.name}{RegionLevel(level).label}帮办代办事项清单",
            level=level,
            region=region,
            slug=f"list-{region.pk}",
        )
        home_page().add_child(instance=page)
        lists.append(page)
    units = [UnitFactory(name=f"内江测试单位{n:03d}", region=regions[n % len(regions)]) for n in range(MATTER_UNITS)]
    for n in range(IDLE_UNITS):
        UnitFactory(name=f"内江无事项单位{n:03d}", region=regions[n % len(regions)])
    # The floors: plain Wagtail pages at a list's depth and at a guide's (benchmarks/urls.py serves them).
    bare = home_page().add_child(instance=Page(title="空白页", slug="bare"))
    bare.add_child(instance=Page(title="空白页", slug="page"))
    for term, expansions in SYNONYMS.items():
        SearchSynonym.objects.get_or_create(term=term, defaults={"expansions": expansions})
    return lists, units


def add_matters(lists, units, count, first=0):
    """`count` live MatterPages numbered from `first`, spread over the lists, indexed for search."""
    lists = [MatterListPage.objects.get(pk=page.pk) for page in lists]  # fresh numchild
    content_type = ContentType.objects.get_for_model(MatterPage)
    now = timezone.now()
    pages, details, materials = [], [], []
    children = {page.pk: page.numchild for page in lists}
    for n in range(first, first + count):
        parent = lists[n % len(lists)]
        children[parent.pk] += 1
        title, sub_item, matter_type, category, names = KINDS[n % len(KINDS)]
        title = f"{title}（第{n}项）"
        slug = f"matter-{n}"
        pages.append(
            Page(
                path=parent.path + _step(children[parent.pk]),
                depth=parent.depth + 1,
                numchild=0,
                translation_key=uuid.uuid4(),
                locale_id=parent.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                title=title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                url_path=f"{parent.url_path}{slug}/",
            )
        )
        details.append(
            dict(
                unit=units[n % len(units)],
                sub_item_name=sub_item,
                matter_type=matter_type,
                category=category,
                promised_days=n % 15,
                handling_form=FORMS[n % len(FORMS)],
                service_object="自然人",
                handling_location="内江市政务服务中心",
                handling_hours="工作日 9:00-17:00",
                consult_phone="0832-0000000",
                conditions="<p>符合条件的申请人。</p>",
            )
        )
        materials.append(names)
    created = Page.objects.bulk_create(pages, batch_size=500)
    matters = [MatterPage(page_ptr_id=page.pk, **fields) for page, fields in zip(created, details, strict=True)]
    local = [field for field in MatterPage._meta.local_concrete_fields]
    MatterPage.objects.all()._batched_insert(matters, local, batch_size=200)
    MatterMaterial.objects.bulk_create(
        [
            MatterMaterial(page_id=page.pk, name=name, copies=1, sort_order=order)
            for page, names in zip(created, materials, strict=True)
            for order, name in enumerate(names)
        ],
        batch_size=1000,
    )
    for page in lists:
        Page.objects.filter(pk=page.pk).update(numchild=children[page.pk])
    index_now({MatterPage: {page.pk for page in created}})
    return len(created)


def _step(number):
    """A treebeard path step (steplen 4, base 36), as `add_child` would give the `number`th child."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text.rjust(MatterPage.steplen, "0")
