"""Factories for tests: small, explicit objects instead of large fixtures."""

import factory
from django.contrib.auth.models import Group
from wagtail.models import Page

from daiban.models import (
    Case,
    CentreLevel,
    Liaison,
    MatterListPage,
    MatterMaterial,
    MatterPage,
    Region,
    RegionLevel,
    ServiceCentre,
    StaffProfile,
    Unit,
)
from daiban.services.numbering import next_case_number
from home.models import HomePage


def make_region(name, level=RegionLevel.CITY, parent=None):
    existing = (parent.get_children() if parent else Region.get_root_nodes()).filter(name=name).first()
    if existing:
        return existing
    if parent is None:
        return Region.add_root(name=name, level=level)
    return parent.add_child(name=name, level=level)


def city():
    return make_region("内江市", RegionLevel.CITY)


def county(name="资中县"):
    return make_region(name, RegionLevel.COUNTY, parent=city())


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCentre

    name = factory.Sequence(lambda n: f"测试政务服务中心{n}")
    level = CentreLevel.GOV_CENTRE
    region = factory.LazyFunction(county)
    address = "测试路1号"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试局{n}")
    region = factory.LazyFunction(county)


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Liaison

    unit = factory.SubFactory(UnitFactory)
    region = factory.LazyAttribute(lambda o: o.unit.region if o.unit else county())
    name = factory.Sequence(lambda n: f"测试员{n}")
    title = "科员"
    phone = factory.Sequence(lambda n: f"138000001{n % 100:02d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def staff_user(role, *, region=None, centre=None, unit=None, username=None, **kwargs):
    """A staff member with a role (group name from daiban.roles) and a scope."""
    user = UserFactory(username=username, **kwargs) if username else UserFactory(**kwargs)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    region = region or (centre.region if centre else unit.region if unit else county())
    StaffProfile.objects.create(user=user, region=region, centre=centre, unit=unit)
    return user


def home_page():
    return HomePage.objects.first() or Page.objects.get(depth=1).add_child(instance=HomePage(title="首页", slug="home"))


def matter_list(level=RegionLevel.COUNTY, region=None, title=None):
    region = region or county()
    title = title or f"{region.name}{RegionLevel(level).label}帮办代办事项清单"
    existing = MatterListPage.objects.filter(level=level, region=region).first()
    if existing:
        return existing
    page = MatterListPage(title=title, level=level, region=region)
    home_page().add_child(instance=page)
    return page


def matter(
    title="城镇职工基本养老保险关系转移接续", unit=None, promised_days=5, materials=(), list_page=None, **kwargs
):
    unit = unit or UnitFactory()
    list_page = list_page or matter_list(region=unit.region)
    page = MatterPage(title=title, unit=unit, promised_days=promised_days, **kwargs)
    for name in materials:
        page.materials.add(MatterMaterial(name=name, copies=1))
    list_page.add_child(instance=page)
    return page


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.LazyFunction(next_case_number)
    query_code = "123456"
    applicant_name = factory.Sequence(lambda n: f"测试申请人{n}")
    contact_name = factory.LazyAttribute(lambda o: o.applicant_name)
    contact_phone = "13800000001"
    matter_text = "城镇职工基本养老保险关系转移接续"
    centre = factory.SubFactory(CentreFactory)
    region = factory.LazyAttribute(lambda o: o.centre.region)
