"""django-filter filter sets of the public pages. Prefix each with its capability (Matter…)."""

import django_filters
from django.db.models import Q

from daiban.models import HandlingForm, MatterPage, Unit


def _choices(values):
    return [(value, value) for value in values if value]


class MatterFilter(django_filters.FilterSet):
    """Narrow a list's matters by unit, type, category and 办理形式.

    Choosing 帮办 or 代办 also shows the matters offered both ways.
    """

    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Unit.objects.none(), empty_label="全部单位")
    matter_type = django_filters.ChoiceFilter(label="事项类型", empty_label="全部类型")
    category = django_filters.ChoiceFilter(label="事项分类", empty_label="全部分类")
    handling_form = django_filters.ChoiceFilter(
        label="办理形式",
        choices=[(HandlingForm.ASSIST, "帮办"), (HandlingForm.PROXY, "代办")],
        empty_label="帮办或代办",
        method="filter_handling_form",
    )

    class Meta:
        model = MatterPage
        fields = ["unit", "matter_type", "category", "handling_form"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        choices = self.queryset.order_by()
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=choices.values("unit")).order_by("name")
        self.filters["matter_type"].extra["choices"] = _choices(
            choices.values_list("matter_type", flat=True).distinct().order_by("matter_type")
        )
        self.filters["category"].extra["choices"] = _choices(
            choices.values_list("category", flat=True).distinct().order_by("category")
        )

    def filter_handling_form(self, queryset, name, value):
        return queryset.filter(Q(handling_form=value) | Q(handling_form=HandlingForm.BOTH))
