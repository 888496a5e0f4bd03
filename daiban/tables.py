"""django-tables2 tables of the public pages. Prefix each table with its capability (Matter…)."""

import django_tables2 as tables
from django.utils.html import format_html

from daiban.models import MatterPage


class MatterTable(tables.Table):
    """A list's matters, as 附件1 shows them."""

    title = tables.Column("事项名称", linkify=lambda record, table: table.matter_url(record))
    sub_item_name = tables.Column("子项名称", default="—")
    unit = tables.Column("单位", accessor="unit__name", order_by=("unit__name", "title"))
    matter_type = tables.Column("事项类型", default="—")
    category = tables.Column("事项分类", default="—")
    promised_days = tables.Column("承诺时限", order_by=("promised_days", "title"))
    handling_form = tables.Column("办理形式")

    class Meta:
        model = MatterPage
        fields = ["title", "sub_item_name", "unit", "matter_type", "category", "promised_days", "handling_form"]
        template_name = "daiban/catalogue/includes/matter_table.html"
        attrs = {"class": "matter-table"}
        per_page = 25
        empty_text = "没有符合条件的事项。"
        order_by = ("unit", "title")

    def __init__(self, *args, list_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_url = list_url

    def matter_url(self, record):
        # The matters are the list page's children: its url + slug, not one cached site lookup per row.
        return f"{self.list_url}{record.slug}/" if self.list_url else record.url

    def render_promised_days(self, record):
        return record.promised_label

    def render_handling_form(self, record):
        return format_html('<span class="form-tag">{}</span>', record.get_handling_form_display())
