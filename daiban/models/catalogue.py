"""The 帮办代办事项清单 (附件1) and the 八公开 guides, as Wagtail pages."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from .org import Region, RegionLevel, Unit

__all__ = [
    "MatterListPage",
    "MatterPage",
    "MatterMaterial",
    "HandlingForm",
    "MaterialForm",
]


class HandlingForm(models.TextChoices):
    """办理形式 on the list: 帮办, 代办 or both."""

    ASSIST = "assist", "帮办"
    PROXY = "proxy", "代办"
    BOTH = "both", "帮办、代办"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    BOTH = "both", "原件及复印件"
    ELECTRONIC = "electronic", "电子材料"


class MatterListPage(Page):
    """One published list: a level (村级/镇级/县级/市级) of one region."""

    level = models.CharField("清单层级", max_length=10, choices=RegionLevel.choices)
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="matter_lists")
    intro = models.TextField("说明", blank=True)
    published_on = models.DateField("清单公布日期", null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("level"),
        FieldPanel("region"),
        FieldPanel("published_on"),
        FieldPanel("intro"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["daiban.MatterPage"]

    class Meta:
        verbose_name = "帮办代办事项清单"
        verbose_name_plural = "帮办代办事项清单"


class MatterPage(Page):
    """A 事项/子项 of a list, with its 八公开 guide."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="matters")
    sub_item_name = models.CharField("子项名称", max_length=200, blank=True)
    matter_type = models.CharField("事项类型", max_length=40, blank=True)
    category = models.CharField("事项分类", max_length=40, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0, help_text="0 表示即办。")
    handling_form = models.CharField("办理形式", max_length=10, choices=HandlingForm.choices, default=HandlingForm.BOTH)
    note = models.CharField("备注", max_length=500, blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("unit"),
                FieldPanel("sub_item_name"),
                FieldPanel("matter_type"),
                FieldPanel("category"),
                FieldPanel("promised_days"),
                FieldPanel("handling_form"),
                FieldPanel("note"),
            ],
            heading="清单信息",
        ),
        InlinePanel("materials", heading="申请材料", label="材料"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("sub_item_name"),
        index.FilterField("unit"),
    ]

    parent_page_types = ["daiban.MatterListPage"]
    subpage_types = []

    class Meta:
        verbose_name = "帮办代办事项"
        verbose_name_plural = "帮办代办事项"

    @property
    def promised_label(self):
        return "即办" if self.promised_days == 0 else f"{self.promised_days}个工作日"


class MatterMaterial(Orderable):
    """One item of 申请材料: screening (一次性告知) picks from these."""

    page = ParentalKey(MatterPage, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=200)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    form = models.CharField("材料形式", max_length=12, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    is_essential = models.BooleanField("必要材料", default=True, help_text="非必要材料可容缺后补。")
    note = models.CharField("说明", max_length=200, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("copies"),
        FieldPanel("form"),
        FieldPanel("is_essential"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"

    def __str__(self):
        return self.name
