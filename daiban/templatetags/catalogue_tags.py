"""The catalogue on public pages: the home page's sections and a list page's filtered table."""

from django import template
from django.urls import reverse
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
    table = MatterTable(queryset, list_url=list_page.get_url(request))
    RequestConfig(request, paginate={"per_page": MatterTable._meta.per_page}).configure(table)
    export_url = reverse("daiban:matter_list_export", args=[list_page.pk])
    return {"filter": filterset, "table": table, "export_url": export_url}
