"""工作日历 in the admin: administrators maintain holidays and 调休 days, with a warning for unmaintained years."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import WorkCalendarDay
from ..workdays import fallback_warning

SOURCE_ADMIN = "管理员维护"


class CalendarFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(field_name="date__year", label="年份")
    is_workday = django_filters.BooleanFilter(label="调休上班")

    class Meta:
        model = WorkCalendarDay
        fields = []


class CalendarIndexView(generic.IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calendar_warning"] = fallback_warning()
        return context


class AdminSourceMixin:
    def save_instance(self):
        self.form.instance.source = SOURCE_ADMIN
        return super().save_instance()


class CalendarCreateView(AdminSourceMixin, generic.CreateView):
    pass


class CalendarEditView(AdminSourceMixin, generic.EditView):
    pass


class WorkCalendarViewSet(ModelViewSet):
    model = WorkCalendarDay
    icon = "date"
    menu_label = "工作日历"
    name = "work_calendar"
    add_to_settings_menu = True
    copy_view_enabled = False
    index_view_class = CalendarIndexView
    add_view_class = CalendarCreateView
    edit_view_class = CalendarEditView
    index_template_name = "daiban/admin/handling/calendar_index.html"
    filterset_class = CalendarFilterSet
    list_display = [
        Column("date", label="日期", accessor="date"),
        Column("kind_label", label="类型"),
        "name",
        Column("source", label="来源"),
    ]
    form_fields = ["date", "is_workday", "name"]


work_calendar_viewset = WorkCalendarViewSet()
