"""django-tables2 tables of the public pages. Prefix each table with its capability (Matter…)."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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

    # The cells of a row, by column: plain attribute reads, no template or accessor per cell.
    CELLS = {
        "title": lambda table, record: format_html('<a href="{}">{}</a>', table.matter_url(record), record.title),
        "sub_item_name": lambda table, record: record.sub_item_name or "—",
        "unit": lambda table, record: record.unit.name,
        "matter_type": lambda table, record: record.matter_type or "—",
        "category": lambda table, record: record.category or "—",
        "promised_days": lambda table, record: record.promised_label,
        "handling_form": lambda table, record: format_html(
            '<span class="form-tag">{}</span>', record.get_handling_form_display()
        ),
    }

    def rows_html(self):
        """The page's rows, as django-tables2 would render them (matter_table.html), in one pass.

        django-tables2 renders each cell through its accessors and a template context (two-thirds of
        the list page's time); the table's columns are fixed, so their cells are read directly.
        """
        page = getattr(self, "page", None)
        records = (row.record for row in (page.object_list if page is not None else self.rows))
        columns = [(column.name, column.header) for column in self.columns]
        return mark_safe(
            "".join(
                format_html(
                    '<tr class="{}">{}</tr>\n',
                    "odd" if index % 2 else "even",
                    format_html_join(
                        "",
                        '<td data-label="{}">{}</td>',
                        ((header, self.CELLS[name](self, record)) for name, header in columns),
                    ),
                )
                for index, record in enumerate(records)
            )
        )

    def render_promised_days(self, record):
        return record.promised_label

    def render_handling_form(self, record):
        return format_html('<span class="form-tag">{}</span>', record.get_handling_form_display())
