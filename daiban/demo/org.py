"""Demo organisation: Neijiang's administrative tree, centres, units, fictional liaisons, one login per role.

Idempotent: everything is looked up before it is created. The people are invented (names such as
张演示, phones 1380000xxxx); addresses and centre phone numbers are placeholders. Later demo steps
find the accounts by username (see USERS); summary(out) prints them after all steps.
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from daiban.models import (
    CentreLevel,
    Liaison,
    LiaisonPost,
    Region,
    RegionLevel,
    ServiceCentre,
    StaffProfile,
    Unit,
)
from daiban.roles import CITY_GUIDANCE, COUNTY_BUREAU, GUIDE_EDITOR, UNIT_STAFF, WINDOW_STAFF
from home.models import HomePage

PASSWORD = "Demo-2026!"
DEMO_EMAIL_DOMAIN = "@demo.example.com"
CITY = ("内江市", "511000")

# county-level area, code, {town or street: [villages and communities]}
COUNTIES = [
    ("市中区", "511002", {"城东街道": ["北街社区"], "白马镇": ["白马村"]}),
    ("东兴区", "511011", {"西林街道": ["西林社区"], "田家镇": [], "椑木镇": []}),
    ("威远县", "511024", {"严陵镇": ["城北社区"], "连界镇": []}),
    ("资中县", "511025", {"水南镇": ["高楼村"], "重龙镇": ["东街社区"], "球溪镇": []}),
    ("隆昌市", "511083", {"金鹅街道": ["白塔社区"], "响石镇": []}),
    ("内江经开区", "", {"四合镇": []}),
    ("内江高新区", "", {"白合镇": []}),
]
DEVELOPMENT_ZONES = {"内江经开区", "内江高新区"}

CITY_UNITS = [
    "内江市政务服务管理局",
    "内江市市场监督管理局",
    "内江市人力资源和社会保障局",
    "内江市住房公积金管理中心",
    "国家税务总局内江市税务局",
    "内江市不动产登记中心",
    "内江市医疗保障局",
    "内江市公安局出入境管理支队",
]
COUNTY_DEPARTMENTS = ["人力资源和社会保障局", "市场监督管理局", "不动产登记中心", "医疗保障局"]

SURNAMES = "张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ["演示", "示例", "测试", "样例", "模拟", "虚构"]
OPENING_HOURS = "周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）"
EXTENDED_HOURS = "工作日 12:00—13:30 午间延时服务；周六 9:00—12:00 预约服务"

INTRO = (
    "<p>内江市政务服务帮办代办平台为企业和群众免费提供帮办、代办服务。在市、县（市、区）政务服务中心和"
    "镇（街道）便民服务中心的帮办代办窗口，工作人员帮助您准备材料、陪同到窗口办理；您也可以在完成材料交接后"
    "由帮办代办员代为办理，办结后及时通知您领取或邮寄送达。</p>"
    "<p>涉及多个部门的“一件事一次办”事项和跨层级的复杂事项，由帮办代办窗口统一受理、牵头协调，"
    "相关部门（单位）联络员协同办理。老年人、残疾人、现役和退役军人等特殊群体可走“绿色通道”，"
    "需要时可提供上门服务。</p>"
)

# username, role (None: superuser), display name, where: ("region"|"centre"|"unit", name)
USERS = [
    ("admin", None, "系统管理员", ("region", "内江市")),
    ("city_guide", CITY_GUIDANCE, "钱演示", ("region", "内江市")),
    ("zizhong_bureau", COUNTY_BUREAU, "孙示例", ("region", "资中县")),
    ("dongxing_bureau", COUNTY_BUREAU, "冯示例", ("region", "东兴区")),
    ("zizhong_window", WINDOW_STAFF, None, ("centre", "资中县政务服务中心")),
    ("city_window", WINDOW_STAFF, None, ("centre", "内江市政务服务中心")),
    ("zizhong_hrss", UNIT_STAFF, None, ("unit", "资中县人力资源和社会保障局")),
    ("zizhong_editor", GUIDE_EDITOR, "卫样例", ("unit", "资中县人力资源和社会保障局")),
]
ROLE_LABELS = {None: "超级管理员"}


class People:
    """Deterministic invented names and phone numbers, in the order they are asked for."""

    def __init__(self):
        self.count = 0

    def next(self):
        index = self.count
        self.count += 1
        name = SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[index // len(SURNAMES) % len(GIVEN_NAMES)]
        if index >= len(SURNAMES) * len(GIVEN_NAMES):
            name += "乙"
        return name, f"1380000{index + 1:04d}"


def load(out):
    people = People()
    city = load_regions()
    load_city(city, people)
    for county_name, _code, _towns in COUNTIES:
        load_county(Region.objects.get(name=county_name, depth=2), people)
    load_users()
    set_home_intro()


# --- regions -------------------------------------------------------------------------------


def region(name, level, parent=None, code=""):
    siblings = parent.get_children() if parent else Region.get_root_nodes()
    existing = siblings.filter(name=name).first()
    if existing:
        return existing
    if parent is None:
        return Region.add_root(name=name, level=level, code=code)
    # Re-read the parent: adding children changes its numchild and the tree below it.
    return Region.objects.get(pk=parent.pk).add_child(name=name, level=level, code=code)


def load_regions():
    city = region(CITY[0], RegionLevel.CITY, code=CITY[1])
    for county_name, code, towns in COUNTIES:
        county = region(county_name, RegionLevel.COUNTY, city, code)
        for town_name, villages in towns.items():
            town = region(town_name, RegionLevel.TOWN, county)
            for village_name in villages:
                region(village_name, RegionLevel.VILLAGE, town)
    return Region.objects.get(pk=city.pk)


# --- centres, units, liaisons --------------------------------------------------------------


def centre(name, level, place, **extra):
    defaults = {
        "address": f"{place.full_name}演示路{place.pk}号（演示地址）",
        "opening_hours": OPENING_HOURS,
        "window_location": "一楼大厅帮办代办窗口",
        "phone": f"0832-0000{place.pk:03d}",
        **extra,
    }
    return ServiceCentre.objects.get_or_create(name=name, defaults={"level": level, "region": place, **defaults})[0]


def gov_centre(name, place):
    return centre(name, CentreLevel.GOV_CENTRE, place, extended_hours=EXTENDED_HOURS, has_self_service_area=True)


def unit(name, place, centres):
    obj = Unit.objects.get_or_create(region=place, name=name)[0]
    obj.centres.add(*centres)
    return obj


def liaison(people, place, *, post, title, designated=False, unit=None, centre=None):
    name, phone = people.next()
    return Liaison.objects.get_or_create(
        region=place,
        unit=unit,
        centre=centre,
        name=name,
        defaults={"title": title, "phone": phone, "post": post, "is_designated": designated},
    )[0]


def unit_liaisons(people, obj):
    liaison(people, obj.region, unit=obj, post=LiaisonPost.A, title="科长", designated=True)
    liaison(people, obj.region, unit=obj, post=LiaisonPost.B, title="科员")


def window_liaisons(people, obj, with_backup=True):
    liaison(people, obj.region, centre=obj, post=LiaisonPost.A, title="窗口负责人", designated=True)
    if with_backup:
        liaison(people, obj.region, centre=obj, post=LiaisonPost.B, title="窗口工作人员")


def load_city(city, people):
    city_centre = gov_centre("内江市政务服务中心", city)
    for name in CITY_UNITS:
        unit_liaisons(people, unit(name, city, [city_centre]))
    set_window_unit(city_centre, Unit.objects.get(region=city, name="内江市政务服务管理局"))
    window_liaisons(people, city_centre)
    return city_centre


def county_unit_names(county):
    name = county.name
    if name in DEVELOPMENT_ZONES:
        return [f"{name}行政审批服务局"]
    return [f"{name}行政审批局", *[name + department for department in COUNTY_DEPARTMENTS], f"国家税务总局{name}税务局"]


def load_county(county, people):
    county_centre = gov_centre(f"{county.name}政务服务中心", county)
    units = [unit(name, county, [county_centre]) for name in county_unit_names(county)]
    for obj in units:
        unit_liaisons(people, obj)
    set_window_unit(county_centre, units[0])
    window_liaisons(people, county_centre)
    for town in county.get_children():
        town_centre = centre(f"{county.name}{town.name}便民服务中心", CentreLevel.CONVENIENCE_CENTRE, town)
        window_liaisons(people, town_centre, with_backup=False)
        for village in town.get_children():
            centre(f"{county.name}{town.name}{village.name}便民服务站", CentreLevel.CONVENIENCE_STATION, village)


def set_window_unit(obj, window_unit):
    if obj.window_unit_id is None:
        obj.window_unit = window_unit
        obj.save(update_fields=["window_unit"])


# --- accounts ------------------------------------------------------------------------------


def load_users():
    for row in USERS:
        account(*row)


def account(username, role, display_name, where):
    kind, place_name = where
    place = {
        "region": lambda: {"region": Region.objects.get(name=place_name)},
        "centre": lambda: centre_scope(ServiceCentre.objects.get(name=place_name)),
        "unit": lambda: unit_scope(Unit.objects.get(name=place_name)),
    }[kind]()
    linked = first_liaison(place) if role in (WINDOW_STAFF, UNIT_STAFF) else None
    user = demo_user(username, role, display_name or linked.name)
    StaffProfile.objects.update_or_create(
        user=user, defaults={"region": place["region"], "centre": place.get("centre"), "unit": place.get("unit")}
    )
    if linked is not None and linked.user_id is None:
        linked.user = user
        linked.save(update_fields=["user"])
    return user, role, place_name


def centre_scope(obj):
    return {"region": obj.region, "centre": obj}


def unit_scope(obj):
    return {"region": obj.region, "unit": obj}


def first_liaison(place):
    """The A岗 person of the unit or the centre's window, who logs in with the account."""
    where = Q(unit=place["unit"]) if "unit" in place else Q(centre=place["centre"], unit=None)
    return Liaison.objects.filter(where, post=LiaisonPost.A).order_by("pk").first()


def demo_user(username, role, display_name):
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    user.first_name = display_name
    user.email = f"{username}{DEMO_EMAIL_DOMAIN}"
    user.is_active = True
    user.is_superuser = user.is_staff = role is None
    user.set_password(PASSWORD)
    user.save()
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def summary(out):
    """The demo logins (also those later steps made with account()), printed by load_demo at the end."""
    out.write("")
    out.write("演示账号（登录后台 /admin/）：")
    out.write(pad("用户名", 18) + pad("角色", 18) + pad("范围", 28) + "密码")
    for user in demo_accounts():
        profile = user.staff_profile
        role = ROLE_LABELS[None] if user.is_superuser else "、".join(group.name for group in user.groups.all())
        place = profile.unit or profile.centre or profile.region
        out.write(pad(user.username, 18) + pad(role, 18) + pad(place.name, 28) + PASSWORD)


def demo_accounts():
    return (
        get_user_model()
        .objects.filter(email__endswith=DEMO_EMAIL_DOMAIN, staff_profile__isnull=False)
        .select_related("staff_profile__region", "staff_profile__centre", "staff_profile__unit")
        .prefetch_related("groups")
        .order_by("pk")
    )


def pad(text, width):
    """Pad to a width in terminal columns: Chinese characters take two."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 1)


# --- home page -----------------------------------------------------------------------------


def set_home_intro():
    home = HomePage.objects.first()
    if home is not None and not home.intro:
        home.intro = INTRO
        home.save_revision().publish()
