"""Demo catalogue: 帮办代办事项清单 at 市级, 县级, 镇级 and 村级, with complete and incomplete guides.

Idempotent: lists, units, matters and documents are looked up before they are created; existing
matters are left as they are. Units come from the organisation step (created here if missing).
Phone numbers are placeholders. About a quarter of the guides are complete (all 八公开 elements
and the four documents); the rest lack some elements, so the completeness report has work to show.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from daiban.models import (
    GUIDE_DOCUMENTS,
    HandlingForm,
    MaterialForm,
    MatterListPage,
    MatterMaterial,
    MatterPage,
    MatterQuestion,
    Region,
    RegionLevel,
    Unit,
)
from home.models import HomePage

B, D, BD = HandlingForm.ASSIST, HandlingForm.PROXY, HandlingForm.BOTH

# Matters: (unit, 事项名称, 子项名称, 事项类型, 事项分类, 承诺时限, 办理形式). "{r}" is the region's name.
CITY = [
    ("内江市市场监督管理局", "企业设立登记", "有限责任公司设立登记", "行政许可", "企业开办类", 1, BD),
    ("内江市市场监督管理局", "企业变更登记", "", "行政许可", "企业开办类", 1, BD),
    ("内江市市场监督管理局", "企业注销登记", "", "行政许可", "企业开办类", 3, BD),
    ("内江市市场监督管理局", "食品生产许可", "", "行政许可", "食品药品类", 10, B),
    ("内江市市场监督管理局", "药品零售企业许可", "", "行政许可", "食品药品类", 15, B),
    ("内江市人力资源和社会保障局", "城镇职工基本养老保险关系转移接续", "", "公共服务", "社会保险类", 15, BD),
    ("内江市人力资源和社会保障局", "职业技能等级认定", "", "公共服务", "就业创业类", 20, B),
    ("内江市人力资源和社会保障局", "人力资源服务许可", "", "行政许可", "就业创业类", 15, B),
    ("内江市人力资源和社会保障局", "失业保险稳岗返还", "", "行政给付", "社会保险类", 10, D),
    ("内江市人力资源和社会保障局", "技能提升补贴申领", "", "行政给付", "社会保险类", 10, D),
    ("内江市人力资源和社会保障局", "企业职工基本养老保险待遇申领", "", "行政给付", "社会保险类", 10, BD),
    ("内江市住房公积金管理中心", "住房公积金提取", "购房提取", "公共服务", "住房公积金类", 3, BD),
    ("内江市住房公积金管理中心", "住房公积金提取", "离退休提取", "公共服务", "住房公积金类", 0, BD),
    ("内江市住房公积金管理中心", "住房公积金提取", "租房提取", "公共服务", "住房公积金类", 0, D),
    ("内江市住房公积金管理中心", "住房公积金提取", "偿还住房贷款提取", "公共服务", "住房公积金类", 3, BD),
    ("内江市住房公积金管理中心", "住房公积金个人住房贷款", "", "公共服务", "住房公积金类", 15, B),
    ("内江市住房公积金管理中心", "住房公积金缴存登记", "单位缴存登记", "公共服务", "住房公积金类", 1, D),
    ("内江市住房公积金管理中心", "住房公积金转移接续", "", "公共服务", "住房公积金类", 5, D),
    ("国家税务总局内江市税务局", "新办纳税人套餐服务", "", "其他行政权力", "税务类", 1, BD),
    ("国家税务总局内江市税务局", "增值税专用发票最高开票限额审批", "", "行政许可", "税务类", 10, B),
    ("国家税务总局内江市税务局", "开具纳税证明", "", "公共服务", "税务类", 0, D),
    ("国家税务总局内江市税务局", "跨区域涉税事项报告", "", "其他行政权力", "税务类", 0, D),
    ("内江市不动产登记中心", "不动产转移登记", "二手房买卖转移登记", "行政确认", "不动产类", 5, BD),
    ("内江市不动产登记中心", "不动产转移登记", "新建商品房转移登记", "行政确认", "不动产类", 5, BD),
    ("内江市不动产登记中心", "不动产抵押权登记", "", "行政确认", "不动产类", 3, D),
    ("内江市不动产登记中心", "不动产变更登记", "", "行政确认", "不动产类", 5, D),
    ("内江市不动产登记中心", "不动产注销登记", "", "行政确认", "不动产类", 3, D),
    ("内江市不动产登记中心", "不动产预告登记", "", "行政确认", "不动产类", 3, D),
    ("内江市医疗保障局", "职工基本医疗保险关系转移接续", "", "公共服务", "医疗保障类", 10, BD),
    ("内江市医疗保障局", "生育保险待遇申领", "", "行政给付", "医疗保障类", 10, D),
    ("内江市医疗保障局", "异地就医备案", "", "公共服务", "医疗保障类", 0, BD),
    ("内江市医疗保障局", "定点医药机构申请", "", "公共服务", "医疗保障类", 30, B),
    ("内江市公安局出入境管理支队", "普通护照签发", "", "行政许可", "出入境类", 7, B),
    ("内江市公安局出入境管理支队", "往来港澳通行证签发", "", "行政许可", "出入境类", 7, B),
    ("内江市公安局出入境管理支队", "往来台湾通行证签发", "", "行政许可", "出入境类", 7, B),
    ("内江市政务服务管理局", "一件事一次办：企业开办", "", "其他", "一件事一次办", 1, BD),
    ("内江市政务服务管理局", "一件事一次办：退休", "", "其他", "一件事一次办", 10, BD),
    ("内江市政务服务管理局", "一件事一次办：不动产登记与水电气信过户联办", "", "其他", "一件事一次办", 5, D),
    ("内江市政务服务管理局", "重大投资项目全程帮办代办", "", "其他", "工程建设类", 20, BD),
    ("国网内江供电公司", "高压用电报装", "", "公共服务", "水电气信类", 15, BD),
    ("国网内江供电公司", "低压非居民用电报装", "", "公共服务", "水电气信类", 5, BD),
]

COUNTY = [
    ("{r}人力资源和社会保障局", "城镇职工基本养老保险关系转移接续", "", "公共服务", "社会保险类", 15, BD),
    ("{r}人力资源和社会保障局", "城乡居民基本养老保险参保登记", "", "公共服务", "社会保险类", 0, BD),
    ("{r}人力资源和社会保障局", "城乡居民养老保险待遇申领", "", "行政给付", "社会保险类", 5, BD),
    ("{r}人力资源和社会保障局", "失业保险金申领", "", "行政给付", "社会保险类", 5, D),
    ("{r}人力资源和社会保障局", "失业登记", "", "公共服务", "就业创业类", 0, D),
    ("{r}人力资源和社会保障局", "就业创业证申领", "", "公共服务", "就业创业类", 0, D),
    ("{r}人力资源和社会保障局", "工伤认定申请", "", "行政确认", "社会保险类", 20, B),
    ("{r}人力资源和社会保障局", "社会保障卡申领", "", "公共服务", "社会保险类", 0, BD),
    ("{r}人力资源和社会保障局", "企业职工退休申请", "", "行政确认", "社会保险类", 10, BD),
    ("{r}市场监督管理局", "企业设立登记", "有限责任公司设立登记", "行政许可", "企业开办类", 1, BD),
    ("{r}市场监督管理局", "营业执照变更登记", "", "行政许可", "企业开办类", 1, D),
    ("{r}市场监督管理局", "个体工商户注册登记", "", "行政许可", "企业开办类", 0, BD),
    ("{r}市场监督管理局", "食品经营许可", "", "行政许可", "食品药品类", 10, B),
    ("{r}市场监督管理局", "企业注销登记", "", "行政许可", "企业开办类", 3, D),
    ("{r}不动产登记中心", "不动产转移登记", "二手房买卖转移登记", "行政确认", "不动产类", 5, BD),
    ("{r}不动产登记中心", "不动产抵押权登记", "", "行政确认", "不动产类", 3, D),
    ("{r}不动产登记中心", "不动产首次登记", "", "行政确认", "不动产类", 10, D),
    ("{r}不动产登记中心", "不动产登记资料查询", "", "公共服务", "不动产类", 0, D),
    ("{r}医疗保障局", "城乡居民基本医疗保险参保登记", "", "公共服务", "医疗保障类", 0, BD),
    ("{r}医疗保障局", "医疗费用零星报销", "", "行政给付", "医疗保障类", 20, D),
    ("{r}医疗保障局", "异地就医备案", "", "公共服务", "医疗保障类", 0, BD),
    ("{r}医疗保障局", "门诊特殊疾病认定", "", "行政确认", "医疗保障类", 10, D),
    ("国家税务总局{r}税务局", "新办纳税人套餐服务", "", "其他行政权力", "税务类", 1, BD),
    ("国家税务总局{r}税务局", "发票领用", "", "其他行政权力", "税务类", 0, D),
    ("国家税务总局{r}税务局", "个人所得税综合所得汇算清缴", "", "其他行政权力", "税务类", 0, B),
    ("{r}行政审批局", "建设工程规划许可证核发", "", "行政许可", "工程建设类", 10, BD),
    ("{r}行政审批局", "建筑工程施工许可证核发", "", "行政许可", "工程建设类", 7, BD),
    ("{r}行政审批局", "一件事一次办：我要开餐馆", "", "其他", "一件事一次办", 5, BD),
    ("{r}行政审批局", "一件事一次办：新生儿出生", "", "其他", "一件事一次办", 3, D),
    ("国网{r}供电公司", "低压居民用电报装", "", "公共服务", "水电气信类", 3, D),
    ("国网{r}供电公司", "用电过户", "", "公共服务", "水电气信类", 1, D),
    ("{r}自来水公司", "用水报装", "", "公共服务", "水电气信类", 5, D),
    ("{r}自来水公司", "用水过户", "", "公共服务", "水电气信类", 1, D),
    ("{r}燃气公司", "天然气开户报装", "", "公共服务", "水电气信类", 5, D),
    ("中国电信{r}分公司", "宽带及固定电话报装", "", "公共服务", "水电气信类", 3, D),
]

TOWN = [
    ("{r}人民政府", "城乡居民基本养老保险参保登记", "", "公共服务", "社会保险类", 0, BD),
    ("{r}人民政府", "城乡居民养老保险待遇申领", "", "行政给付", "社会保险类", 5, BD),
    ("{r}人民政府", "城乡居民基本医疗保险参保登记", "", "公共服务", "医疗保障类", 0, BD),
    ("{r}人民政府", "高龄津贴申请", "", "行政给付", "民政类", 10, D),
    ("{r}人民政府", "残疾人两项补贴申请", "", "行政给付", "民政类", 15, D),
    ("{r}人民政府", "最低生活保障申请", "", "行政给付", "民政类", 20, B),
    ("{r}人民政府", "临时救助申请", "", "行政给付", "民政类", 5, B),
    ("{r}人民政府", "农村村民住宅建设审批", "", "行政许可", "农业农村类", 20, B),
    ("{r}人民政府", "生育登记", "", "公共服务", "卫生健康类", 0, D),
    ("{r}人民政府", "计划生育家庭奖励扶助", "", "行政给付", "卫生健康类", 20, D),
    ("{r}人民政府", "退役军人优待证申领", "", "公共服务", "退役军人类", 10, BD),
    ("{r}人民政府", "农村土地承包经营权流转备案", "", "其他行政权力", "农业农村类", 5, B),
]

VILLAGE = [
    ("{r}村（社区）便民服务站", "城乡居民养老保险参保缴费", "", "公共服务", "社会保险类", 0, D),
    ("{r}村（社区）便民服务站", "城乡居民医疗保险缴费", "", "公共服务", "医疗保障类", 0, D),
    ("{r}村（社区）便民服务站", "高龄津贴申请", "", "行政给付", "民政类", 10, D),
    ("{r}村（社区）便民服务站", "残疾人证办理", "", "公共服务", "残联类", 20, BD),
    ("{r}村（社区）便民服务站", "最低生活保障申请", "", "行政给付", "民政类", 20, B),
    ("{r}村（社区）便民服务站", "农村村民住宅建设申请", "", "行政许可", "农业农村类", 20, B),
    ("{r}村（社区）便民服务站", "社会保障卡领取", "", "公共服务", "社会保险类", 0, D),
    ("{r}村（社区）便民服务站", "用电用水过户", "", "公共服务", "水电气信类", 3, D),
]

# (region path by names, level, matters, days since the list was published, share of complete guides)
LISTS = [
    (["内江市"], RegionLevel.CITY, CITY, 30, 3),
    (["内江市", "资中县"], RegionLevel.COUNTY, COUNTY, 5, 3),
    (["内江市", "东兴区"], RegionLevel.COUNTY, COUNTY, 40, 5),
    (["内江市", "隆昌市"], RegionLevel.COUNTY, COUNTY[:16], 8, 0),
    (["内江市", "资中县", "水南镇"], RegionLevel.TOWN, TOWN, 3, 2),
    (["内江市", "东兴区", "椑木镇"], RegionLevel.TOWN, TOWN[:8], 25, 0),
    (["内江市", "资中县", "水南镇", "高楼村"], RegionLevel.VILLAGE, VILLAGE, 3, 2),
    (["内江市", "市中区", "白马镇", "白马村"], RegionLevel.VILLAGE, VILLAGE[:6], 12, 0),
]

MATERIALS = {
    "社会保险类": [
        ("居民身份证", 1, MaterialForm.BOTH),
        ("社会保障卡", 1, MaterialForm.ORIGINAL),
        ("参保缴费凭证", 1, MaterialForm.COPY),
    ],
    "就业创业类": [("居民身份证", 1, MaterialForm.BOTH), ("就业创业证或失业证明", 1, MaterialForm.ORIGINAL)],
    "企业开办类": [
        ("公司登记（备案）申请书", 1, MaterialForm.ORIGINAL),
        ("公司章程", 1, MaterialForm.ORIGINAL),
        ("股东主体资格证明", 1, MaterialForm.COPY),
        ("法定代表人任职文件", 1, MaterialForm.ORIGINAL),
        ("住所使用证明", 1, MaterialForm.COPY),
    ],
    "不动产类": [
        ("不动产登记申请书", 1, MaterialForm.ORIGINAL),
        ("申请人身份证明", 1, MaterialForm.BOTH),
        ("不动产权属证书", 1, MaterialForm.ORIGINAL),
        ("买卖合同", 1, MaterialForm.ORIGINAL),
        ("完税凭证", 1, MaterialForm.COPY),
    ],
    "住房公积金类": [
        ("居民身份证", 1, MaterialForm.BOTH),
        ("住房公积金提取申请表", 1, MaterialForm.ORIGINAL),
        ("购房合同或不动产权证书", 1, MaterialForm.COPY),
        ("本人银行卡", 1, MaterialForm.COPY),
    ],
    "税务类": [("经办人身份证件", 1, MaterialForm.BOTH), ("营业执照", 1, MaterialForm.COPY)],
    "医疗保障类": [("居民身份证", 1, MaterialForm.BOTH), ("医疗费用票据", 1, MaterialForm.ORIGINAL)],
    "水电气信类": [("户主身份证", 1, MaterialForm.BOTH), ("房屋产权证明或租赁合同", 1, MaterialForm.COPY)],
}
DEFAULT_MATERIALS = [("居民身份证", 1, MaterialForm.BOTH), ("申请表", 1, MaterialForm.ORIGINAL)]
PROCESS = [
    ("申请", "申请人到帮办代办窗口提出申请，或在网上提交材料。", "帮办代办窗口", "即时"),
    ("受理", "窗口对材料进行审查，材料齐全的予以受理；不齐全的一次性告知需补正的材料。", "窗口工作人员", "即时"),
    ("审核", "实施单位对申请材料进行审核。", "实施单位", ""),
    ("办结", "作出办理决定，结果由帮办代办窗口通知申请人领取或邮寄送达。", "帮办代办窗口", ""),
]
QUESTIONS = [
    (
        "办理需要本人到场吗？",
        "帮办时由工作人员陪同您到窗口办理；代办时在完成材料交接后由代办员代为办理，需本人确认的环节会提前告知。",
    ),
    ("帮办代办收费吗？", "帮办代办服务全程免费；法律法规规定由申请人缴纳的费用除外。"),
]
DOCUMENT_TEXT = "{title}\n\n（演示文件：正式文本以实施单位公布的为准。）\n"


def load(out):
    home = HomePage.objects.first()
    if home is None:
        out.write("没有首页，跳过事项清单。")
        return
    created = 0
    for names, level, matters, days_ago, complete_every in LISTS:
        region = find_or_create_region(names, level)
        list_page = matter_list(home, region, level, days_ago)
        created += load_matters(list_page, region, matters, complete_every)
    total = MatterPage.objects.count()
    out.write(f"事项清单：新建 {created} 个事项，共 {total} 个（{MatterListPage.objects.count()} 个清单）。")


LEVEL_OF_DEPTH = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE]


def find_or_create_region(names, level):
    region = None
    for depth, name in enumerate(names):
        siblings = region.get_children() if region else Region.get_root_nodes()
        found = siblings.filter(name=name).first()
        if found is None:
            kind = LEVEL_OF_DEPTH[depth]
            found = (
                Region.objects.get(pk=region.pk).add_child(name=name, level=kind)
                if region
                else Region.add_root(name=name, level=kind)
            )
        region = found
    return region


def matter_list(home, region, level, days_ago):
    existing = MatterListPage.objects.filter(region=region, level=level).first()
    if existing:
        return existing
    label = RegionLevel(level).label
    page = MatterListPage(
        title=f"{region.name}{label}帮办代办事项清单",
        slug=f"{region.name}-{level}",
        region=region,
        level=level,
        published_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        intro=f"{region.name}{label}帮办代办事项，服务全程免费。到就近的帮办代办窗口或在本网站申请。",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_matters(list_page, region, matters, complete_every):
    existing = set(MatterPage.objects.child_of(list_page).values_list("unit__name", "title", "sub_item_name"))
    units = {}
    created = 0
    for index, (unit_name, title, sub_item, matter_type, category, days, form) in enumerate(matters):
        unit_name = unit_name.format(r=region.name)
        if (unit_name, title, sub_item) in existing:
            continue
        if unit_name not in units:
            units[unit_name] = Unit.objects.get_or_create(region=region, name=unit_name)[0]
        page = MatterPage(
            title=title,
            slug=f"{index + 1:03d}",
            unit=units[unit_name],
            sub_item_name=sub_item,
            matter_type=matter_type,
            category=category,
            promised_days=days,
            handling_form=form,
        )
        guide(page, region, index, complete_every)
        list_page.add_child(instance=page)
        page.save_revision().publish()
        created += 1
    return created


def guide(page, region, index, complete_every):
    """Fill in the guide: completely for every `complete_every`-th matter, partly for the others."""
    complete = complete_every and index % complete_every == 0
    page.service_object = "自然人" if page.category not in ("企业开办类", "税务类") else "企业法人"
    page.handling_location = f"{region.name}帮办代办窗口"
    page.handling_hours = "周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）"
    if index % 2 == 0 or complete:
        for name, copies, form in MATERIALS.get(page.category, DEFAULT_MATERIALS):
            page.materials.add(
                MatterMaterial(name=name, copies=copies, form=form, is_essential=form != MaterialForm.COPY)
            )
    if not complete:
        return
    page.consult_phone = "0832-12345"
    page.supervision_phone = "0832-12345"
    page.result_name = f"{page.title}办理结果"
    page.legal_days = max(page.promised_days * 2, 1)
    page.conditions = f"<p>符合{page.title}相关规定、申请材料齐全且符合法定形式的，予以受理。</p>"
    page.process = [
        ("step", {"name": name, "description": text, "handled_by": who, "time_limit": limit})
        for name, text, who, limit in PROCESS
    ]
    page.legal_basis = "<p>相关法律、法规和规章（演示内容）。</p>"
    page.intermediary = "<p>无。</p>"
    for question, answer in QUESTIONS:
        page.questions.add(MatterQuestion(question=question, answer=answer))
    for key, label in GUIDE_DOCUMENTS:
        setattr(page, key, document(f"{page.full_name}{label}"))


def document(title):
    model = get_document_model()
    existing = model.objects.filter(title=title).first()
    if existing:
        return existing
    doc = model(title=title)
    doc.file.save("demo-form.txt", ContentFile(DOCUMENT_TEXT.format(title=title).encode()), save=True)
    return doc
