"""The 台账 (附件4 case ledger) listing in the admin, with wagtail-modeladmin.

Read-only: cases are created by registration (or /apply/) and changed only through the
case page's actions, so the ModelAdmin registers no create, edit or delete view.
"""

import datetime

from django.contrib.admin import SimpleListFilter
from django.core.paginator import InvalidPage
from django.db.models import Exists, OuterRef, Q
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from wagtail.admin.paginator import WagtailPaginator
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.templatetags.modeladmin_tags import result_headers
from wagtail_modeladmin.views import IndexView

from . import deadlines
from .masking import mask_phone
from .models import Case, CaseStatus, DeferredMaterial, Route, ServiceCentre, SpecialGroup, Unit, UnitFlow
from .permissions import cases_visible_to, registration_centres
from .roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF, Scope, has_role

__all__ = ["CaseLedgerAdmin"]


def deferred_overdue_q(today=None):
    today = today or timezone.localdate()
    late = DeferredMaterial.objects.filter(case=OuterRef("pk"), received_at__isnull=True, due_date__lt=today)
    return Exists(late)


# Filters -----------------------------------------------------------------------------------------


class LedgerFilter(SimpleListFilter):
    template = "daiban/admin/case/_ledger_filter.html"


class StatusFilter(LedgerFilter):
    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return CaseStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class CentreFilter(LedgerFilter):
    title = "受理服务中心"
    parameter_name = "centre"

    def lookups(self, request, model_admin):
        scope = Scope.for_user(request.user)
        centres = ServiceCentre.objects.filter(scope.region_q()) if not scope.sees_all else ServiceCentre.objects
        return [(str(pk), name) for pk, name in centres.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        return queryset.filter(centre_id=self.value()) if self.value() else queryset


class UnitFilter(LedgerFilter):
    """The accepting unit, a unit involved on the request, or one the case was routed to."""

    title = "涉及单位"
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        scope = Scope.for_user(request.user)
        units = Unit.objects.filter(is_active=True).filter(scope.region_q())
        return [(str(pk), name) for pk, name in units.order_by("region__path", "name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        unit = self.value()
        routed = Exists(UnitFlow.objects.filter(case=OuterRef("pk"), unit_id=unit))
        involved = Exists(Case.units.through.objects.filter(case_id=OuterRef("pk"), unit_id=unit))
        return queryset.filter(Q(accepting_unit_id=unit) | Q(lead_unit_id=unit) | routed | involved)


class RouteFilter(LedgerFilter):
    title = "办理路径"
    parameter_name = "route"

    def lookups(self, request, model_admin):
        return [*Route.choices, ("none", "尚未转办")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(route="")
        return queryset.filter(route=self.value()) if self.value() else queryset


class GreenChannelFilter(LedgerFilter):
    title = "绿色通道"
    parameter_name = "green"

    def lookups(self, request, model_admin):
        return [("any", "全部绿色通道"), *SpecialGroup.choices]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.exclude(special_group="")
        return queryset.filter(special_group=self.value()) if self.value() else queryset


class OverdueFilter(LedgerFilter):
    title = "超期"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("case", "超过承诺办结日期"), ("due_soon", "临期（两个工作日内）"), ("deferred", "容缺材料逾期未交")]

    def queryset(self, request, queryset):
        if self.value() == "case":
            return deadlines.cases_overdue(queryset)
        if self.value() == "deferred":
            return queryset.filter(deferred_overdue_q())
        if self.value() == "due_soon":
            return deadlines.cases_due_soon(queryset)
        return queryset


class MonthFilter(LedgerFilter):
    """Month of the request (申请日期), the last twelve months."""

    title = "申请月份"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        months = []
        year, month = today.year, today.month
        for _ in range(12):
            months.append((f"{year}-{month:02d}", f"{year}年{month}月"))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return months

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            start = datetime.datetime.strptime(value, "%Y-%m")
        except ValueError:
            return queryset.none()
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        zone = timezone.get_current_timezone()
        return queryset.filter(
            submitted_at__gte=timezone.make_aware(start, zone), submitted_at__lt=timezone.make_aware(end, zone)
        )


# Helpers -----------------------------------------------------------------------------------------


def sees_ledger(user):
    scope = Scope.for_user(user)
    return scope.sees_all or any(has_role(user, role) for role in (WINDOW_STAFF, COUNTY_BUREAU, UNIT_STAFF))


class LedgerPermissionHelper(PermissionHelper):
    """Listing only, by role; rows are scoped in get_queryset. Nothing is created, edited or deleted here."""

    def user_can_list(self, user):
        return sees_ledger(user)

    def user_can_create(self, user):
        return False

    def user_can_inspect_obj(self, user, obj):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class LedgerButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        return [
            {
                "url": reverse("daiban_case_detail", args=[obj.pk]),
                "label": "查看办件",
                "classname": "button button-small button-secondary",
                "title": f"查看办件 {obj.number}",
            }
        ]


# Paging counts at most this many rows (40 pages): an exact COUNT(*) over a million cases costs more
# than the page itself; beyond that, the filters and the search narrow the ledger.
COUNT_CAP = 2_000


class LedgerPaginator(WagtailPaginator):
    @cached_property
    def count(self):
        # Sliced, the count keeps the ledger's order, so it walks an index and stops at the cap.
        return self.object_list.values("pk")[:COUNT_CAP].count()


class LedgerIndexView(IndexView):
    paginator_class = LedgerPaginator

    def get_context_data(self, **kwargs):
        # modeladmin's IndexView counts three times (all rows, the filtered rows, the paginator); at a
        # million cases each COUNT(*) costs. Here the paginator's count is the only one; the unfiltered
        # total only decides whether the filters are shown, so an existence check does.
        paginator = self.paginator_class(self.get_queryset(), self.items_per_page)
        result_count = paginator.count
        # In the ledger's order (not exists(), which drops it) so the check walks the order's index.
        all_count = result_count or len(self.get_base_queryset().values_list("pk", flat=True)[:1])
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        context = {
            "view": self,
            "all_count": all_count,
            "result_count": result_count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(self.page_num),
            "object_list": page_obj.object_list,
            "user_can_create": self.permission_helper.user_can_create(self.request.user),
            "show_search": self.search_handler.show_search_form,
            "can_register": registration_centres(self.request.user).exists(),
            **kwargs,
        }
        if page_obj.object_list:
            context["ledger_headers"] = list(result_headers(self))
            context["ledger_rows"] = self.model_admin.ledger_rows(page_obj.object_list)
        context = {
            **context,
        }
        # Past IndexView's own get_context_data, which would count again.
        return super(IndexView, self).get_context_data(**context)


class CaseLedgerAdmin(ModelAdmin):
    model = Case
    menu_label = "帮办代办台账"
    menu_icon = "list-ul"
    menu_order = 200
    add_to_admin_menu = True
    permission_helper_class = LedgerPermissionHelper
    button_helper_class = LedgerButtonHelper
    index_view_class = LedgerIndexView
    index_template_name = "daiban/admin/case/ledger_index.html"
    index_view_extra_css = ["daiban/css/ledger.css"]
    index_view_extra_js = ["daiban/js/ledger-filters.js"]
    list_display = (
        "number_link",
        "submitted_on",
        "applicant",
        "phone_masked",
        "matter_name",
        "centre",
        "status_label",
        "due_label",
    )
    list_filter = (
        StatusFilter,
        CentreFilter,
        UnitFilter,
        RouteFilter,
        GreenChannelFilter,
        OverdueFilter,
        MonthFilter,
    )
    search_fields = ("number", "applicant_name", "contact_name", "contact_phone")
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("centre", "matter")
        queryset = queryset.annotate(deferred_late=deferred_overdue_q())
        return cases_visible_to(request.user, queryset).order_by("-submitted_at", "-pk")

    # The rows in one pass of Python (what modeladmin's result_list renders with two template includes
    # per cell, copying the whole context each time: nearly all the page's time at 50 rows).
    ROW = (
        '<tr class="{}" data-object-pk="{}">'
        '<td class="field-number_link title">{}<ul class="actions"><li>'
        '<a href="{}" class="button button-small button-secondary" title="查看办件 {}">查看办件</a></li></ul></td>'
        '<td class="field-submitted_on title">{}</td>'
        '<td class="field-applicant title">{}</td>'
        '<td class="field-phone_masked title">{}</td>'
        '<td class="field-matter_name title">{}</td>'
        '<td class="field-centre title nowrap">{}</td>'
        '<td class="field-status_label title">{}</td>'
        '<td class="field-due_label title">{}</td>'
        "</tr>"
    )

    def ledger_rows(self, cases):
        """The page's rows, the same cells as list_display; one URL reversed for all rows."""
        detail = reverse("daiban_case_detail", args=[0])
        head, _zero, tail = detail.rpartition("0")
        today = timezone.localdate()

        def cells(index, obj):
            url = f"{head}{obj.pk}{tail}"
            return (
                "odd" if index % 2 == 0 else "even",
                obj.pk,
                format_html('<a href="{}">{}</a>', url, obj.number),
                url,
                obj.number,
                self.submitted_on(obj),
                self.applicant(obj),
                self.phone_masked(obj) or mark_safe("&nbsp;"),
                obj.matter_name or mark_safe("&nbsp;"),
                obj.centre.name if obj.centre_id else "-",
                obj.get_status_display(),
                self.due_label(obj, today),
            )

        return format_html_join("", self.ROW, (cells(index, obj) for index, obj in enumerate(cases)))

    def get_admin_urls_for_registration(self):
        # The listing only: no create, edit or delete view for cases.
        return (
            re_path(
                self.url_helper.get_action_url_pattern("index"),
                self.index_view,
                name=self.url_helper.get_action_url_name("index"),
            ),
        )

    def number_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("daiban_case_detail", args=[obj.pk]), obj.number)

    number_link.short_description = "办件编号"

    def submitted_on(self, obj):
        return timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d")

    submitted_on.short_description = "申请日期"

    def phone_masked(self, obj):
        return mask_phone(obj.contact_phone)

    phone_masked.short_description = "联系电话"

    def status_label(self, obj):
        return obj.get_status_display()

    status_label.short_description = "状态"

    def applicant(self, obj):
        if not obj.special_group:
            return obj.applicant_name
        return format_html(
            '{} <span class="w-status w-status--label">绿色通道·{}</span>',
            obj.applicant_name,
            obj.get_special_group_display(),
        )

    applicant.short_description = "申请人"

    def due_label(self, obj, today=None):
        if obj.due_date is None:
            text = "—"
        else:
            text = obj.due_date.strftime("%Y-%m-%d")
        flags = []
        today = today or timezone.localdate()
        if obj.status in deadlines.OPEN_CASE_STATUSES and obj.due_date and obj.due_date < today:
            flags.append("已超期")
        if obj.deferred_late:
            flags.append("容缺材料逾期")
        if not flags:
            return text
        return format_html('{} <span class="w-status w-status--label daiban-overdue">{}</span>', text, "、".join(flags))

    due_label.short_description = "承诺办结日期"

    def matter_name(self, obj):
        return obj.matter_name

    matter_name.short_description = "帮办代办事项"
