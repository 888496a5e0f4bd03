"""The 帮办代办事项清单 (附件1) and the 八公开 guides, as Wagtail pages."""

import datetime
from functools import reduce
from operator import or_

from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from .org import Region, RegionLevel, Unit

__all__ = [
    "MatterListPage",
    "MatterPage",
    "MatterMaterial",
    "MatterQuestion",
    "HandlingForm",
    "MaterialForm",
    "GUIDE_ELEMENTS",
    "GUIDE_DOCUMENTS",
    "COMPLETION_DAYS",
    "attach_lists",
]

# Guides must be complete within this many days after their list is published.
COMPLETION_DAYS = 10

# The eight 八公开 elements and the four documents, in the policy's order: (key, label).
GUIDE_ELEMENTS = [
    ("basic_info", "基本信息"),
    ("materials", "申请材料"),
    ("conditions", "受理条件"),
    ("process", "办理流程"),
    ("fees", "收费标准"),
    ("legal_basis", "设定依据"),
    ("intermediary", "中介服务"),
    ("questions", "常见问题"),
]
GUIDE_DOCUMENTS = [
    ("application_form", "申请书"),
    ("commitment_form", "告知承诺书"),
    ("filling_instructions", "填写说明"),
    ("sample_text", "示范文本"),
]
BASIC_INFO_FIELDS = ["service_object", "handling_location", "handling_hours", "consult_phone"]
TEXT_ELEMENT_FIELDS = {"conditions": "conditions", "legal_basis": "legal_basis", "intermediary": "intermediary"}


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


LEVEL_ORDER = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE]


class MatterListPage(Page):
    """One published list: a level (村级/镇级/县级/市级) of one region."""

    level = models.CharField("清单层级", max_length=10, choices=RegionLevel.choices, db_index=True)
    region = models.ForeignKey(Region, verbose_name="区域", on_delete=models.PROTECT, related_name="matter_lists")
    intro = models.TextField("说明", blank=True)
    published_on = models.DateField(
        "清单公布日期", null=True, blank=True, help_text=f"公布后 {COMPLETION_DAYS} 日内须完善全部事项的办事指南。"
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("level"), FieldPanel("region")]),
        FieldPanel("published_on"),
        FieldPanel("intro"),
    ]

    api_fields = [APIField("level"), APIField("region_name"), APIField("published_on"), APIField("intro")]
    search_fields = Page.search_fields + [index.FilterField("level"), index.FilterField("region")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["daiban.MatterPage"]

    class Meta:
        verbose_name = "帮办代办事项清单"
        verbose_name_plural = "帮办代办事项清单"

    @property
    def region_name(self):
        return self.region.name

    @property
    def guide_deadline(self):
        """The day by which every guide on this list must be complete."""
        if self.published_on is None:
            return None
        return self.published_on + datetime.timedelta(days=COMPLETION_DAYS)

    def route(self, request, path_components):
        """A guide's address is its list's + its slug: one query finds the matter with its unit.

        Wagtail's own route asks twice per level (the child, then its specific page) and the guide
        then asks again for its unit and its list. Anything else under a list is routed as usual.
        """
        if not path_components:
            self.served_at = escape_uri_path(request.path)  # as Wagtail's urls are: percent-encoded
        elif len(path_components) == 1:
            matter = MatterPage.objects.child_of(self).select_related("unit").filter(slug=path_components[0]).first()
            if matter is not None:
                matter._cached_parent_obj = self
                matter.parent_list = self
                matter.routed_from_list = True
                return matter.route(request, [])
        return super().route(request, path_components)

    served_at = None  # the request's path when route() found this list for it

    def url_for(self, request):
        """This list's url: the path it is being served at, else Wagtail's (a cached lookup of the site's roots)."""
        return self.served_at or self.get_url(request)

    def matters(self):
        """The list's published matters, with what the table shows."""
        return MatterPage.objects.child_of(self).live().select_related("unit")

    @classmethod
    def live_by_level(cls):
        """Published lists grouped by level, city first: [(label, [list, …]), …]."""
        lists = cls.objects.live().select_related("region").order_by("region__path")
        groups = {level: [] for level in LEVEL_ORDER}
        for matter_list in lists:
            groups[matter_list.level].append(matter_list)
        return [(RegionLevel(level).label, groups[level]) for level in LEVEL_ORDER if groups[level]]


class ProcessStepBlock(blocks.StructBlock):
    name = blocks.CharBlock(label="环节", max_length=60)
    description = blocks.TextBlock(label="办理内容", required=False)
    handled_by = blocks.CharBlock(label="办理人员或岗位", required=False, max_length=60)
    time_limit = blocks.CharBlock(label="时限", required=False, max_length=40)

    class Meta:
        icon = "list-ol"
        label = "办理环节"


class MatterPageForm(WagtailAdminPageForm):
    """A unit's guide editors can only choose their own unit."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        units = Unit.objects.editable_by(for_user)
        if units is not None and "unit" in self.fields:
            self.fields["unit"].queryset = units


class MatterPageQuerySet(PageQuerySet):
    def in_lists(self, lists):
        """Matters of these lists (a MatterListPage queryset)."""
        paths = list(lists.values_list("path", flat=True))
        if not paths:
            return self.none()
        return self.filter(reduce(or_, [Q(path__startswith=path) for path in paths]))

    def incomplete(self):
        """Matters whose guide lacks any of the eight elements or the documents (the same rules as
        ``MatterPage.missing_elements``), in SQL."""
        return MatterPage.annotate_for_completeness(self).filter(MatterPage.incomplete_q())


def guide_document(label):
    """One of the four downloads a guide offers (申请书, 告知承诺书, 填写说明, 示范文本)."""
    return models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class MatterPage(Page):
    """A 事项/子项 of a list, with its 八公开 guide."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="matters")
    sub_item_name = models.CharField("子项名称", max_length=200, blank=True)
    matter_type = models.CharField("事项类型", max_length=40, blank=True, db_index=True)
    category = models.CharField("事项分类", max_length=40, blank=True, db_index=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0, help_text="0 表示即办。")
    handling_form = models.CharField("办理形式", max_length=10, choices=HandlingForm.choices, default=HandlingForm.BOTH)
    note = models.CharField("备注", max_length=500, blank=True)

    # 基本信息
    service_object = models.CharField("服务对象", max_length=100, blank=True, help_text="如：自然人、企业法人。")
    legal_days = models.PositiveSmallIntegerField("法定办结时限（工作日）", null=True, blank=True)
    result_name = models.CharField("办理结果", max_length=200, blank=True, help_text="如：准予登记通知书。")
    handling_location = models.CharField("办理地点", max_length=200, blank=True)
    handling_hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=60, blank=True)
    supervision_phone = models.CharField("监督投诉电话", max_length=60, blank=True)
    online_url = models.URLField("网上办理地址", blank=True, help_text="四川省政务服务网或其他平台的办理入口。")

    conditions = RichTextField("受理条件", blank=True)
    process = StreamField([("step", ProcessStepBlock())], verbose_name="办理流程", blank=True)
    is_free = models.BooleanField("不收费", default=True)
    fee_details = RichTextField("收费标准", blank=True, help_text="收费事项填写收费项目、标准及依据。")
    legal_basis = RichTextField("设定依据", blank=True)
    intermediary = RichTextField("中介服务", blank=True, help_text="不涉及中介服务的，填写“无”。")

    application_form = guide_document("申请书")
    commitment_form = guide_document("告知承诺书")
    filling_instructions = guide_document("填写说明")
    sample_text = guide_document("示范文本")

    objects = PageManager.from_queryset(MatterPageQuerySet)()
    base_form_class = MatterPageForm

    list_panels = [
        FieldPanel("title", heading="事项名称"),
        FieldPanel("unit"),
        FieldPanel("sub_item_name"),
        FieldRowPanel([FieldPanel("matter_type"), FieldPanel("category")]),
        FieldRowPanel([FieldPanel("promised_days"), FieldPanel("handling_form")]),
        FieldPanel("note"),
    ]
    guide_panels = [
        MultiFieldPanel(
            [
                FieldPanel("service_object"),
                FieldRowPanel([FieldPanel("legal_days"), FieldPanel("result_name")]),
                FieldPanel("handling_location"),
                FieldPanel("handling_hours"),
                FieldRowPanel([FieldPanel("consult_phone"), FieldPanel("supervision_phone")]),
                FieldPanel("online_url"),
            ],
            heading="基本信息",
        ),
        InlinePanel("materials", heading="申请材料", label="材料"),
        FieldPanel("conditions"),
        FieldPanel("process"),
        MultiFieldPanel([FieldPanel("is_free"), FieldPanel("fee_details")], heading="收费标准"),
        FieldPanel("legal_basis"),
        FieldPanel("intermediary"),
        InlinePanel("questions", heading="常见问题", label="问答"),
    ]
    document_panels = [
        FieldPanel("application_form"),
        FieldPanel("commitment_form"),
        FieldPanel("filling_instructions"),
        FieldPanel("sample_text"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(list_panels, heading="清单信息"),
            ObjectList(guide_panels, heading="办事指南（八公开）"),
            ObjectList(document_panels, heading="下载文书"),
            ObjectList(Page.promote_panels, heading="推广"),
        ]
    )

    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.AutocompleteField("search_text"),
        index.FilterField("unit"),
        index.FilterField("matter_type"),
        index.FilterField("category"),
        index.FilterField("handling_form"),
    ]

    api_fields = [
        APIField("unit_name"),
        APIField("sub_item_name"),
        APIField("matter_type"),
        APIField("category"),
        APIField("promised_days"),
        APIField("promised_label"),
        APIField("handling_form"),
        APIField("handling_form_label"),
        APIField("note"),
        APIField("service_object"),
        APIField("legal_days"),
        APIField("result_name"),
        APIField("handling_location"),
        APIField("handling_hours"),
        APIField("consult_phone"),
        APIField("supervision_phone"),
        APIField("online_url"),
        APIField("material_list"),
        APIField("conditions"),
        APIField("process"),
        APIField("is_free"),
        APIField("fee_details"),
        APIField("legal_basis"),
        APIField("intermediary"),
        APIField("question_list"),
        APIField("document_links"),
        APIField("missing_elements"),
    ]

    parent_page_types = ["daiban.MatterListPage"]
    subpage_types = []

    class Meta:
        verbose_name = "帮办代办事项"
        verbose_name_plural = "帮办代办事项"
        indexes = [models.Index(fields=["unit", "matter_type", "category"])]

    @property
    def promised_label(self):
        return "即办" if self.promised_days == 0 else f"{self.promised_days}个工作日"

    @property
    def handling_form_label(self):
        return self.get_handling_form_display()

    @property
    def unit_name(self):
        return self.unit.name

    @property
    def full_name(self):
        return f"{self.title}（{self.sub_item_name}）" if self.sub_item_name else self.title

    @classmethod
    def get_indexed_objects(cls):
        # search_text reads the unit and the materials: one query each for a whole batch.
        return super().get_indexed_objects().select_related("unit").prefetch_related("materials")

    def search_text(self):
        """Everything people may search for, segmented into words (see daiban.search)."""
        from daiban.search import index_text

        texts = [self.title, self.sub_item_name, self.unit.name, self.matter_type, self.category, self.note]
        texts += [material.name for material in self.materials.all()]
        texts += [strip_tags(self.conditions), self.service_object, self.result_name]
        return index_text(*texts)

    # The guide's completeness

    def has_element(self, key):
        if key == "basic_info":
            return all(getattr(self, name).strip() for name in BASIC_INFO_FIELDS)
        if key == "materials":
            return bool(self.materials.all())
        if key == "questions":
            return bool(self.questions.all())
        if key == "process":
            return len(self.process) > 0
        if key == "fees":
            return self.is_free or bool(strip_tags(self.fee_details).strip())
        return bool(strip_tags(getattr(self, TEXT_ELEMENT_FIELDS[key])).strip())

    def missing_elements(self):
        """Labels of the 八公开 elements and the documents this guide still lacks."""
        missing = [label for key, label in GUIDE_ELEMENTS if not self.has_element(key)]
        missing += [label for key, label in GUIDE_DOCUMENTS if getattr(self, f"{key}_id") is None]
        return missing

    @property
    def is_complete(self):
        return not self.missing_elements()

    @classmethod
    def incomplete_q(cls):
        """SQL for "missing_elements() is not empty". Rich text that is only markup counts as filled in here."""
        q = Q()
        for name in BASIC_INFO_FIELDS:
            q |= Q(**{name: ""})
        for name in TEXT_ELEMENT_FIELDS.values():
            q |= Q(**{name: ""}) | Q(**{name: "<p></p>"})
        q |= ~Exists(MatterMaterial.objects.filter(page=OuterRef("pk")))
        q |= ~Exists(MatterQuestion.objects.filter(page=OuterRef("pk")))
        q |= Q(_process_text__in=["[]", ""]) | Q(process__isnull=True)
        q |= Q(is_free=False, fee_details__in=["", "<p></p>"])
        for key, _label in GUIDE_DOCUMENTS:
            q |= Q(**{f"{key}__isnull": True})
        return q

    @classmethod
    def annotate_for_completeness(cls, queryset):
        return queryset.annotate(_process_text=Cast("process", models.TextField()))

    # For the API and the guide page

    def material_list(self):
        return [
            {
                "name": m.name,
                "copies": m.copies,
                "form": m.get_form_display(),
                "is_essential": m.is_essential,
                "note": m.note,
            }
            for m in self.materials.all()
        ]

    def question_list(self):
        return [{"question": q.question, "answer": q.answer} for q in self.questions.all()]

    def documents(self):
        """(label, document) of the downloads this guide has, in the policy's order; one query."""
        from wagtail.documents import get_document_model

        ids = {key: getattr(self, f"{key}_id") for key, _label in GUIDE_DOCUMENTS}
        found = get_document_model().objects.in_bulk([pk for pk in ids.values() if pk])
        return [(label, found[ids[key]]) for key, label in GUIDE_DOCUMENTS if ids[key] in found]

    def document_links(self):
        return [{"label": label, "title": doc.title, "url": doc.url} for label, doc in self.documents()]

    @cached_property
    def parent_list(self):
        return MatterListPage.objects.select_related("region").filter(path=self.path[: -self.steplen]).first()

    routed_from_list = False  # set by MatterListPage.route: request.path is the list's url + our slug

    def list_url(self, request):
        """The url of this guide's list, from the request's own path when the list routed it."""
        path = escape_uri_path(request.path) if request is not None else ""
        suffix = escape_uri_path(f"{self.slug}/")
        if self.routed_from_list and path.endswith(f"/{suffix}"):
            return path[: -len(suffix)]
        return self.parent_list.get_url(request) if self.parent_list else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["matter_list"] = self.parent_list
        context["matter_list_url"] = self.list_url(request)
        context["documents"] = self.documents()
        return context


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
        FieldRowPanel([FieldPanel("copies"), FieldPanel("form")]),
        FieldPanel("is_essential"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"

    def __str__(self):
        return self.name


class MatterQuestion(Orderable):
    """常见问题: a question people ask and its answer."""

    page = ParentalKey(MatterPage, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField("问题", max_length=300)
    answer = models.TextField("解答")

    panels = [FieldPanel("question"), FieldPanel("answer", widget=forms.Textarea(attrs={"rows": 3}))]

    class Meta(Orderable.Meta):
        verbose_name = "常见问题"
        verbose_name_plural = "常见问题"

    def __str__(self):
        return self.question


def attach_lists(matters):
    """Set .parent_list on each matter (its MatterListPage, with region) in one query for all."""
    paths = {matter.path[: -MatterPage.steplen] for matter in matters}
    lists = {page.path: page for page in MatterListPage.objects.filter(path__in=paths).select_related("region")}
    for matter in matters:
        matter.parent_list = lists.get(matter.path[: -MatterPage.steplen])
    return matters
