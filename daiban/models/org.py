"""Organisation: regions, service centres, units, liaisons and staff profiles."""

from django.conf import settings
from django.db import models
from treebeard.mp_tree import MP_Node
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from ..roles import editor_unit_id, is_unit_editor

__all__ = [
    "Region",
    "RegionLevel",
    "ServiceCentre",
    "CentreLevel",
    "Unit",
    "Liaison",
    "LiaisonPost",
    "StaffProfile",
]


class RegionLevel(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "镇级"
    VILLAGE = "village", "村级"


class Region(index.Indexed, MP_Node):
    """City → county-level area → town/street → village/community."""

    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices, db_index=True)
    code = models.CharField("区划代码", max_length=20, blank=True)

    node_order_by = ["name"]

    panels = [FieldPanel("name"), FieldPanel("level"), FieldPanel("code")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        names = [r.name for r in self.get_ancestors()] + [self.name]
        return "".join(names)


class CentreLevel(models.TextChoices):
    GOV_CENTRE = "gov_centre", "政务服务中心"
    CONVENIENCE_CENTRE = "convenience_centre", "便民服务中心"
    CONVENIENCE_STATION = "convenience_station", "便民服务站"


class ServiceCentre(index.Indexed, models.Model):
    name = models.CharField("名称", max_length=120, unique=True)
    level = models.CharField("类型", max_length=30, choices=CentreLevel.choices)
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="centres")
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    window_location = models.CharField("帮办代办窗口位置", max_length=200, blank=True)
    extended_hours = models.CharField("延时服务时间", max_length=200, blank=True)
    has_self_service_area = models.BooleanField("设有24小时自助服务区", default=False)
    window_unit = models.ForeignKey(
        "Unit",
        verbose_name="窗口所属单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="window_centres",
        help_text="运行本中心帮办代办窗口的单位（如县行政审批局）；窗口受理的办件计入该单位统计。",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("region"),
        FieldPanel("address"),
        FieldPanel("opening_hours"),
        FieldPanel("phone"),
        FieldPanel("window_location"),
        FieldPanel("extended_hours"),
        FieldPanel("has_self_service_area"),
        FieldPanel("window_unit"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("address"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = "服务中心"
        verbose_name_plural = "服务中心"
        ordering = ["region__path", "name"]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def editable_by(self, user):
        """The units whose matters `user` may edit, or None for no restriction (see daiban.permissions)."""
        if not is_unit_editor(user):
            return None
        return self.filter(pk=editor_unit_id(user))


class Unit(index.Indexed, models.Model):
    """A department or unit (进驻部门/单位) with the centres it is stationed at."""

    objects = UnitQuerySet.as_manager()

    name = models.CharField("单位名称", max_length=120)
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="units")
    centres = models.ManyToManyField(ServiceCentre, verbose_name="进驻服务中心", blank=True, related_name="units")
    is_active = models.BooleanField("在用", default=True)

    panels = [FieldPanel("name"), FieldPanel("region"), FieldPanel("centres"), FieldPanel("is_active")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = "单位（部门）"
        verbose_name_plural = "单位（部门）"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unique_unit_name_per_region")]

    def __str__(self):
        return self.name


class LiaisonPost(models.TextChoices):
    A = "A", "A岗"
    B = "B", "B岗"


class Liaison(index.Indexed, models.Model):
    """A row of 附件2: a window's or unit's 帮办代办员 / 联络员."""

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="liaisons")
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="liaisons", null=True, blank=True
    )
    centre = models.ForeignKey(
        ServiceCentre,
        verbose_name="服务中心窗口",
        on_delete=models.PROTECT,
        related_name="liaisons",
        null=True,
        blank=True,
        help_text="帮办代办窗口的人员填写所在服务中心。",
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    post = models.CharField("岗位", max_length=1, choices=LiaisonPost.choices, default=LiaisonPost.A)
    is_designated = models.BooleanField("本单位联络员", default=False)
    is_away = models.BooleanField("A岗外出（由B岗顶岗）", default=False)
    is_active = models.BooleanField("在岗", default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_entries",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    search_fields = [
        index.SearchField("name"),
        index.SearchField("phone"),
        index.AutocompleteField("name"),
        index.FilterField("region"),
        index.FilterField("unit"),
        index.FilterField("is_active"),
    ]

    class Meta:
        verbose_name = "联络员"
        verbose_name_plural = "帮办代办员及联络员"
        ordering = ["region__path", "unit__name", "post", "name"]
        indexes = [models.Index(fields=["unit", "post", "is_active"])]

    def __str__(self):
        return f"{self.name}（{self.unit or self.centre}）"

    @property
    def organisation_name(self):
        return str(self.unit or self.centre or "")


class StaffProfile(models.Model):
    """Where a staff member works: their scope for cases and records."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="staff_profile"
    )
    region = models.ForeignKey(Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="staff")
    centre = models.ForeignKey(
        ServiceCentre, verbose_name="服务中心", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    phone = models.CharField("工作电话", max_length=30, blank=True)

    panels = [FieldPanel("user"), FieldPanel("region"), FieldPanel("centre"), FieldPanel("unit"), FieldPanel("phone")]

    class Meta:
        verbose_name = "工作人员档案"
        verbose_name_plural = "工作人员档案"

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()}"
