"""Catalogue entries for other pages: {% load catalogue_tags %}{% catalogue_home_sections %}."""

from django import template

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
    from daiban.views.catalogue import lists_by_level

    return {"areas": HIGH_FREQUENCY_AREAS, "groups": lists_by_level()}
