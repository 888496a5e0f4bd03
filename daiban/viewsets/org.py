"""The organisation in the Wagtail admin: regions, service centres, units, liaisons (附件2), staff profiles.

Every listing and object view is limited to the user's region subtree (see daiban.viewsets.scoped);
register_permission_policies() must run before the viewsets are registered (top of wagtail_hooks).
"""

import django_filters
from django import forms
from django.contrib import messages
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.widgets import BooleanRadioSelect, HeaderButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from daiban.assignment import has_login_q
from daiban.masking import mask_phone
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
from daiban.roles import Scope
from daiban.services.handling import HandOverFlows

from .liaison_excel import LiaisonExportView, LiaisonImportView
from .scoped import (
    ScopedAdminForm,
    ScopedChooserViewSet,
    ScopedEditView,
    ScopedModelPermissionPolicy,
    ScopedSnippetViewSet,
    indented_region_label,
    regions_for,
    units_for,
)

# model → its region foreign key (None: the model is the region tree itself)
SCOPED_MODELS = {Region: None, ServiceCentre: "region", Unit: "region", Liaison: "region", StaffProfile: "region"}
LEVEL_ORDER = list(RegionLevel.values)


def register_permission_policies():
    for model, region_field in SCOPED_MODELS.items():
        register_permission_policy(model, ScopedModelPermissionPolicy(model, region_field), exact_class=True)


# --- filters -------------------------------------------------------------------------------


class RegionChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return indented_region_label(obj)


class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """Filter by a region and everything below it; offers only the user's regions."""

    field_class = RegionChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "地区")
        kwargs.setdefault("queryset", lambda request: regions_for(request.user))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


def yes_no_filter(label):
    return django_filters.BooleanFilter(label=label, widget=BooleanRadioSelect)


class RegionFilterSet(WagtailFilterSet):
    level = django_filters.ChoiceFilter(
        label="层级", choices=RegionLevel.choices, widget=forms.RadioSelect, empty_label="全部"
    )

    class Meta:
        model = Region
        fields = ["level"]


class CentreFilterSet(WagtailFilterSet):
    region = RegionSubtreeFilter()
    level = django_filters.ChoiceFilter(
        label="类型", choices=CentreLevel.choices, widget=forms.RadioSelect, empty_label="全部"
    )

    class Meta:
        model = ServiceCentre
        fields = ["region", "level"]


class UnitFilterSet(WagtailFilterSet):
    region = RegionSubtreeFilter()
    is_active = yes_no_filter("在用")
    without_login = django_filters.BooleanFilter(
        label="无可登录的帮办代办员",
        widget=BooleanRadioSelect,
        method="filter_without_login",
        help_text="“是”：没有在岗且关联了有效登录账号的A岗或B岗，不能转办给该单位。",
    )

    class Meta:
        model = Unit
        fields = ["region", "is_active", "without_login"]

    def filter_without_login(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(has_login=not value)


class LiaisonFilterSet(WagtailFilterSet):
    region = RegionSubtreeFilter()
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=lambda request: units_for(request.user))
    post = django_filters.ChoiceFilter(
        label="A/B岗", choices=LiaisonPost.choices, widget=forms.RadioSelect, empty_label="全部"
    )
    is_designated = yes_no_filter("联络员")
    is_active = yes_no_filter("在岗")

    class Meta:
        model = Liaison
        fields = ["region", "unit", "post", "is_designated", "is_active"]


class StaffProfileFilterSet(WagtailFilterSet):
    region = RegionSubtreeFilter()

    class Meta:
        model = StaffProfile
        fields = ["region"]


# --- forms ---------------------------------------------------------------------------------


class RegionForm(ScopedAdminForm):
    """Places a new region under its parent in the tree; only the city may move a region."""

    parent = forms.ModelChoiceField(label="上级区域", queryset=Region.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = Scope.for_user(self.for_user)
        if self.instance.pk and not scope.sees_all:
            del self.fields["parent"]
            return
        parents = regions_for(self.for_user)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            self.initial["parent"] = self.instance.get_parent()
        field = self.fields["parent"]
        self.limit_field(field, parents)
        field.required = not scope.sees_all
        field.help_text = "留空表示顶级区域（市级）。" if scope.sees_all else ""

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent", self.instance.get_parent() if self.instance.pk else None)
        level = cleaned.get("level")
        if parent and level and LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
            self.add_error("level", f"层级应低于上级区域“{parent.name}”（{parent.get_level_display()}）。")
        return cleaned

    def save(self, commit=True):
        region = super().save(commit=False)
        parent = self.cleaned_data.get("parent")
        if region.pk is None:
            return parent.add_child(instance=region) if parent else Region.add_root(instance=region)
        region.save()
        if "parent" in self.fields and parent != region.get_parent():
            self.move(region, parent)
        return region

    @staticmethod
    def move(region, parent):
        if parent is None:
            region.move(Region.get_first_root_node(), "sorted-sibling")
        else:
            region.move(parent, "sorted-child")
        region.refresh_from_db()


class LiaisonForm(ScopedAdminForm):
    def clean(self):
        cleaned = super().clean()
        region, unit, centre = cleaned.get("region"), cleaned.get("unit"), cleaned.get("centre")
        if not unit and not centre:
            self.add_error("unit", "请选择单位，或为帮办代办窗口人员选择服务中心。")
        if region and unit and unit.region_id != region.pk:
            self.add_error("unit", f"“{unit}”不属于地区“{region}”。")
        if region and centre and centre.region_id != region.pk:
            self.add_error("centre", f"“{centre}”不属于地区“{region}”。")
        return cleaned


# --- viewsets ------------------------------------------------------------------------------


class RegionIndexView(snippets.IndexView):
    """Regions in tree order, each name indented by its depth."""

    default_ordering = "path"

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return super()._get_title_column(field_name, column_class, accessor=indented_region_label, **kwargs)


class RegionViewSet(ScopedSnippetViewSet):
    model = Region
    icon = "site"
    menu_label = "行政区域"
    url_prefix = "org/regions"
    index_view_class = RegionIndexView
    copy_view_enabled = False
    list_display = ["name", "level", "code"]
    list_per_page = 100
    filterset_class = RegionFilterSet
    search_fields = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("parent"), FieldPanel("name"), FieldPanel("level"), FieldPanel("code")],
        base_form_class=RegionForm,
    )


class CentreViewSet(ScopedSnippetViewSet):
    model = ServiceCentre
    icon = "home"
    menu_label = "服务中心"
    url_prefix = "org/centres"
    list_display = [
        "name",
        "level",
        Column("region", label="所属区域", accessor="region.name"),
        "phone",
        BooleanColumn("has_self_service_area", label="24小时自助区"),
    ]
    list_select_related = ["region"]
    filterset_class = CentreFilterSet
    search_fields = ["name", "address"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("level"),
            FieldPanel("region"),
            FieldPanel("address"),
            FieldPanel("phone"),
            MultiFieldPanel(
                [
                    FieldPanel("opening_hours"),
                    FieldPanel("extended_hours"),
                    FieldPanel("window_location"),
                    FieldPanel("window_unit"),
                    FieldPanel("has_self_service_area"),
                ],
                heading="服务",
            ),
        ],
        base_form_class=ScopedAdminForm,
    )


def centre_names(unit):
    return "、".join(centre.name for centre in unit.centres.all())


def login_state(unit):
    return "有" if unit.has_login else "无（不能转办）"


class UnitViewSet(ScopedSnippetViewSet):
    model = Unit
    icon = "group"
    menu_label = "单位（部门）"
    url_prefix = "org/units"
    list_display = [
        "name",
        Column("region", label="所属区域", accessor="region.name"),
        Column("centres", label="进驻服务中心", accessor=centre_names),
        BooleanColumn("is_active", label="在用"),
        Column("has_login", label="可登录的帮办代办员", accessor=login_state, sort_key="has_login"),
    ]
    list_select_related = ["region"]
    list_prefetch_related = ["centres"]
    filterset_class = UnitFilterSet
    search_fields = ["name"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("region"), FieldPanel("centres"), FieldPanel("is_active")],
        base_form_class=ScopedAdminForm,
    )

    def get_queryset(self, request):
        """Each unit says whether someone of it can log in (one EXISTS per row in the same query)."""
        return super().get_queryset(request).annotate(has_login=has_login_q())


class LiaisonEditView(ScopedEditView):
    """Saving a liaison marked away (外出, 由B岗顶岗) or off duty hands their open flows to the unit's receiver."""

    reassigned = ()

    def save_instance(self):
        liaison = super().save_instance()
        action = HandOverFlows(liaison, user=self.request.user)
        if action.is_possible():
            self.reassigned = action.execute()
        elif action.has_permission(liaison) and action.stranded(liaison):
            messages.warning(
                self.request,
                f"{liaison.unit.name}没有其他在岗的帮办代办员，{liaison.name}名下的在办流转未能改派，请尽快登记顶岗人员。",
            )
        return liaison

    def get_success_message(self):
        message = super().get_success_message()
        if self.reassigned:
            receiver = self.reassigned[0].assignee
            message += f"；其{len(self.reassigned)}条在办流转已改由{receiver.get_post_display()}{receiver.name}办理"
        return message


class LiaisonIndexView(snippets.IndexView):
    """The registry with 附件2 export and import buttons."""

    export_url_name = None
    import_url_name = None
    leading_columns = ("region", "organisation")

    @cached_property
    def columns(self):
        """附件2's order: 地区 and 单位 before the linked name (after the bulk-action checkbox)."""
        columns = super().columns
        leading = [column for column in columns if column.name in self.leading_columns]
        rest = [column for column in columns if column.name not in self.leading_columns]
        return rest[:1] + leading + rest[1:]

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        query = self.request.GET.urlencode()
        export_url = reverse(self.export_url_name) + (f"?{query}" if query else "")
        buttons.append(HeaderButton("导出附件2", url=export_url, icon_name="download"))
        if self.user_has_permission("add") and self.user_has_permission("change"):
            buttons.append(HeaderButton("导入附件2", url=reverse(self.import_url_name), icon_name="upload"))
        return buttons


class LiaisonViewSet(ScopedSnippetViewSet):
    model = Liaison
    chooser_viewset_class = ScopedChooserViewSet
    icon = "user"
    menu_label = "帮办代办员及联络员"
    url_prefix = "org/liaisons"
    index_view_class = LiaisonIndexView
    edit_view_class = LiaisonEditView
    inspect_view_enabled = True
    inspect_view_fields = ["region", "unit", "centre", "name", "title", "phone", "post", "is_designated", "is_active"]
    list_display = [
        "name",
        Column("region", label="地区", accessor="region.name"),
        Column("organisation", label="单位", accessor="organisation_name"),
        "title",
        Column("phone", label="联系电话", accessor=lambda liaison: mask_phone(liaison.phone)),
        Column("post", label="A/B岗", accessor="get_post_display", sort_key="post"),
        BooleanColumn("is_designated", label="联络员"),
        BooleanColumn("is_active", label="在岗"),
    ]
    list_select_related = ["region", "unit", "centre"]
    filterset_class = LiaisonFilterSet
    search_fields = ["name", "title", "unit__name", "centre__name"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("region"),
            FieldPanel("unit"),
            FieldPanel("centre"),
            FieldPanel("name"),
            FieldPanel("title"),
            FieldPanel("phone"),
            MultiFieldPanel(
                [FieldPanel("post"), FieldPanel("is_designated"), FieldPanel("is_away"), FieldPanel("is_active")],
                heading="岗位",
            ),
            FieldPanel("user"),
            FieldPanel("note"),
        ],
        base_form_class=LiaisonForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            export_url_name=self.get_url_name("export"), import_url_name=self.get_url_name("import"), **kwargs
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("export/", LiaisonExportView.as_view(filterset_class=self.filterset_class), name="export"),
            path(
                "import/",
                LiaisonImportView.as_view(index_url_name=self.get_url_name("list")),
                name="import",
            ),
        ]


def role_names(profile):
    return "、".join(group.name for group in profile.user.groups.all())


class StaffProfileViewSet(ScopedSnippetViewSet):
    model = StaffProfile
    chooser_viewset_class = ScopedChooserViewSet
    icon = "user"
    menu_label = "工作人员档案"
    url_prefix = "org/staff"
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("username", label="用户名", accessor="user.username", sort_key="user__username"),
        Column("roles", label="角色", accessor=role_names),
        Column("region", label="所属区域", accessor="region.name"),
        Column("centre", label="服务中心", accessor="centre.name"),
        Column("unit", label="单位", accessor="unit.name"),
    ]
    list_select_related = ["user", "region", "centre", "unit"]
    list_prefetch_related = ["user__groups"]
    filterset_class = StaffProfileFilterSet
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    edit_handler = ObjectList(
        [FieldPanel("user"), FieldPanel("region"), FieldPanel("centre"), FieldPanel("unit"), FieldPanel("phone")],
        base_form_class=ScopedAdminForm,
    )


class OrganisationViewSetGroup(SnippetViewSetGroup):
    menu_label = "组织机构"
    menu_icon = "site"
    menu_order = 200
    items = (RegionViewSet, CentreViewSet, UnitViewSet, LiaisonViewSet, StaffProfileViewSet)
