"""The catalogue on public pages: the home page's sections and a list page's filtered table."""

from django import forms, template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from ..filters import MatterFilter
from ..models import MatterListPage
from ..tables import MatterTable

register = template.Library()

# The high-frequency areas the policy names, and what to search for each.
HIGH_FREQUENCY_AREAS = [
    {"name": "企业开办", "query": "企业开办", "hint": "设立登记、公章刻制、申领发票"},
    {"name": "工程建设审批", "query": "工程建设", "hint": "规划许可、施工许可、竣工验收"},
    {"name": "不动产交易登记", "query": "不动产", "hint": "转移登记、抵押登记、首次登记"},
    {"name": "住房公积金", "query": "公积金", "hint": "提取、贷款、缴存"},
    {"name": "社会保障", "query": "社会保险", "hint": "养老保险、失业保险、社保卡"},
    {"name": "税务", "query": "税务", "hint": "税务登记、发票、纳税申报"},
    {"name": "一件事一次办", "query": "一件事", "hint": "多个事项一次办好"},
    {"name": "水电气信", "query": "水电气信", "hint": "报装、过户、变更"},
]


@register.inclusion_tag("daiban/catalogue/includes/home_sections.html")
def catalogue_home_sections():
    return {"areas": HIGH_FREQUENCY_AREAS, "groups": MatterListPage.live_by_level()}


@register.simple_tag(takes_context=True)
def matter_listing(context, list_page):
    """A list page's filter form and its sortable, paginated table: {% matter_listing page as listing %}."""
    request = context["request"]
    filterset = MatterFilter(request.GET or None, queryset=list_page.matters())
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    # Each title links to the list's url + the matter's slug: no page-url lookup per row.
    table = MatterTable(queryset, list_url=list_page.url_for(request))
    RequestConfig(request, paginate={"per_page": MatterTable._meta.per_page}).configure(table)
    export_url = reverse("daiban:matter_list_export", args=[list_page.pk])
    return {"filter": filterset, "table": table, "export_url": export_url, "list_url": table.list_url}


@register.filter
def select_html(bound_field):
    """A select field's HTML, as Django's widget templates render it, without a template per option.

    The list page's filters have a few dozen options; Django renders each through two templates,
    a fifth of the page's time. Other widgets are rendered as usual.
    """
    widget = bound_field.field.widget
    if type(widget) is not forms.Select:
        return str(bound_field)
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    options = []
    for group_name, group_choices, _index in context["optgroups"]:
        inner = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            ((str(option["value"]), _attrs(option["attrs"]), option["label"]) for option in group_choices),
        )
        options.append(
            format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, inner) if group_name else inner
        )
    return format_html(
        '<select name="{}"{}>{}\n</select>', context["name"], _attrs(context["attrs"]), mark_safe("".join(options))
    )


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )
